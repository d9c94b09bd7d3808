namespace Ockam.Grains.Contracts;

[GenerateSerializer, Immutable, Alias("ockam.identity-status")]
public sealed record IdentityStatus(
    [property: Id(0)] bool Known,
    [property: Id(1)] int Changes,
    [property: Id(2)] bool Revoked,
    [property: Id(3)] bool Compromised);
