namespace Ockam.Grains.Contracts;

/// <param name="Outcome">Whether the token was redeemed, and if not why.</param>
/// <param name="Grant">What it grants, when redeemed.</param>
/// <param name="Retry">The identity had redeemed this token before (its answer was lost, or it is trying again).</param>
[GenerateSerializer, Immutable, Alias("ockam.token-redemption")]
public sealed record TokenRedemption([property: Id(0)] TokenOutcome Outcome, [property: Id(1)] TokenGrant? Grant, [property: Id(2)] bool Retry = false);
