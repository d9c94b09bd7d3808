namespace Ockam.Grains.Contracts;

/// <summary>
/// One enrolment token (key: lowercase hex SHA-256 of the token; the token itself is never stored): its grant.
/// Redeemable before it expires by at most <see cref="TokenGrant.Uses"/> distinct identities, each once: the authority
/// takes a use and records the credential's serial in one transaction of its store, where the uses are counted.
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
}
