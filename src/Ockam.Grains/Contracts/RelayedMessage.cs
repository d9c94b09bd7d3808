namespace Ockam.Grains.Contracts;

/// <summary>One stored or delivered message: its place in the relay's order, its priority, the opaque envelope, who made it, and (relayed for a peer) the sender's identifier.</summary>
[GenerateSerializer, Immutable, Alias("ockam.relayed-message")]
public sealed record RelayedMessage(
    [property: Id(0)] ulong Sequence,
    [property: Id(1)] byte Priority,
    [property: Id(2)] byte[] Envelope,
    [property: Id(3)] RelayOrigin Origin = RelayOrigin.Peer,
    [property: Id(4)] string? Sender = null);
