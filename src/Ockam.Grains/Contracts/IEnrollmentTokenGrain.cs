namespace Ockam.Grains.Contracts;

/// <summary>
/// One enrolment token (key: lowercase hex SHA-256 of the token; the token itself is never stored).
/// Redeemable once, before it expires, by exactly one identity.
/// </summary>
[Alias("ockam.enrollment-token")]
public interface IEnrollmentTokenGrain : IGrainWithStringKey
{
    /// <summary>Creates the token; false if a token with this hash exists already.</summary>
    [Alias("create")]
    Task<bool> CreateAsync(TokenGrant grant);

    /// <summary>Redeems the token for <paramref name="identifier"/>. Repeating a successful redemption for the same identifier gives the same grant.</summary>
    [Alias("redeem")]
    Task<TokenRedemption> RedeemAsync(string identifier);
}
