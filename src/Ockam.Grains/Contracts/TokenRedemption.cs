namespace Ockam.Grains.Contracts;

[GenerateSerializer, Immutable, Alias("ockam.token-redemption")]
public sealed record TokenRedemption([property: Id(0)] TokenOutcome Outcome, [property: Id(1)] TokenGrant? Grant);
