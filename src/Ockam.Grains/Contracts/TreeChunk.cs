namespace Ockam.Grains.Contracts;

/// <summary>Bytes of an epoch's encoded ratchet tree from the asked offset, and the tree's whole length.</summary>
[GenerateSerializer, Immutable, Alias("ockam.tree-chunk")]
public sealed record TreeChunk(
    [property: Id(0)] DeliveryOutcome Outcome,
    [property: Id(1)] byte[] Bytes,
    [property: Id(2)] int TotalLength = 0);
