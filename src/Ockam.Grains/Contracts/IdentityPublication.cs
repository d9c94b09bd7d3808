namespace Ockam.Grains.Contracts;

/// <summary>What became of a published history, and the history the grain now holds.</summary>
[GenerateSerializer, Immutable, Alias("ockam.identity-publication")]
public sealed record IdentityPublication(
    [property: Id(0)] PublicationOutcome Outcome,
    [property: Id(1)] byte[]? Current,
    [property: Id(2)] string? Reason);
