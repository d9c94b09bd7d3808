namespace Ockam.Grains.Contracts;

/// <summary>
/// One enrolment token (key: lowercase hex SHA-256 of the token; the token itself is never stored).
/// Redeemable before it expires by at most <see cref="TokenGrant.Uses"/> distinct identities, each once.
/// </summary>
[Alias("ockam.enrollment-token")]
public interface IEnrollmentTokenGrain : IGrainWithStringKey
{
    /// <summary>Creates the token; false if a token with this hash exists already.</summary>
    [Alias("create")]
    Task<bool> CreateAsync(TokenGrant grant);

    /// <summary>What the token grants, if it exists, without redeeming it (so a refusal uses nothing up).</summary>
    [Alias("grant"), Orleans.Concurrency.ReadOnly]
    Task<TokenGrant?> GetGrantAsync();

    /// <summary>
    /// Redeems the token for <paramref name="identifier"/>. Repeating a successful redemption for the same
    /// identifier (before expiry) gives the same grant and uses nothing; whether that identifier may still
    /// enrol is the authority's decision, taken before it asks.
    /// </summary>
    [Alias("redeem")]
    Task<TokenRedemption> RedeemAsync(string identifier);
}
