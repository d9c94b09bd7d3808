namespace Ockam.Grains.Groups;

/// <summary>A topic's subscriber the policy admitted, waiting for an admin's commit, with the relay its deliveries go to (one it owns).</summary>
[GenerateSerializer, Alias("ockam.pending-join")]
internal sealed record PendingJoin([property: Id(0)] string Identifier, [property: Id(1)] string? Relay);
