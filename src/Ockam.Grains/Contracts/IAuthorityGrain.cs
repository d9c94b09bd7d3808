namespace Ockam.Grains.Contracts;

/// <summary>
/// A credential authority (key: its name). Issues credentials with unique serials, enrols identities
/// with one-time tokens, revokes, and publishes signed revocation lists. Its signing key stays in the
/// silo's vault; the grain's state is public data only.
/// </summary>
[Alias("ockam.authority")]
public interface IAuthorityGrain : IGrainWithStringKey
{
    /// <summary>The authority's change history, so verifiers can trust it.</summary>
    [Alias("identity")]
    Task<byte[]> GetIdentityAsync();

    /// <summary>
    /// Makes a token granting <paramref name="attributes"/> to up to <paramref name="uses"/> distinct identities,
    /// if <paramref name="creator"/> (an identifier) may grant them on its current member record: an admin any
    /// valid attributes, an enroller only names its own <c>ockam.delegate</c> lists and never a role of
    /// admin or enroller, a delegation or every relay. Only the caller ever sees the token.
    /// </summary>
    [Alias("create-member-token")]
    Task<TokenCreation> CreateTokenAsync(string creator, IReadOnlyDictionary<string, byte[]> attributes, TimeSpan validFor, int uses);

    /// <summary>
    /// The operator's token (the silo's first admin token, administration inside the cluster): no creator's
    /// standing is checked, the attributes are. Never reachable from the edge gateway.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid attributes, lifetime or usage count.</exception>
    [Alias("create-operator-token")]
    Task<string> CreateOperatorTokenAsync(IReadOnlyDictionary<string, byte[]> attributes, TimeSpan validFor, int uses);

    /// <summary>
    /// Redeems <paramref name="token"/> for <paramref name="subject"/>, makes it a member, and issues its credential.
    /// A revoked or suspended identity redeems nothing (<see cref="AuthorityOutcome.Revoked"/>, <see cref="AuthorityOutcome.Suspended"/>).
    /// </summary>
    [Alias("enroll")]
    Task<AuthorityResult> EnrollAsync(string token, string subject);

    /// <summary>A fresh credential for a member in good standing, with the attributes it enrolled with.</summary>
    [Alias("credential")]
    Task<AuthorityResult> GetCredentialAsync(string subject);

    /// <summary>Issues a credential directly (administration, bootstrap).</summary>
    [Alias("issue")]
    Task<AuthorityResult> IssueAsync(string subject, IReadOnlyDictionary<string, byte[]> attributes);

    /// <summary>Lets <paramref name="subject"/> issue credentials carrying only <paramref name="attributes"/> (names).</summary>
    [Alias("delegate")]
    Task<AuthorityResult> DelegateAsync(string subject, IReadOnlyList<string> attributes);

    /// <summary>Revokes one serial and suspends the member it was issued to; returns the new signed revocation list.</summary>
    [Alias("revoke")]
    Task<byte[]> RevokeAsync(ulong serial);

    /// <summary>
    /// Removes a member, revokes every credential issued to it, and remembers the identity as revoked (it
    /// redeems no token again until readmitted); returns the new revocation list.
    /// </summary>
    [Alias("revoke-member")]
    Task<byte[]> RevokeMemberAsync(string subject);

    /// <summary>
    /// An admin's way back: lifts a suspension (the member gets fresh credentials again) or a revocation by
    /// subject (the identity may enrol again with a token). <paramref name="admin"/> must be an admin in good
    /// standing on the current records: a suspended admin holding an older credential cannot readmit itself.
    /// </summary>
    [Alias("readmit")]
    Task<ReadmitOutcome> ReadmitAsync(string admin, string subject);

    /// <summary>The current list and every identity revoked as a member: what a gateway catching up must close.</summary>
    [Alias("revocation-notice")]
    Task<RevocationNotice> GetRevocationNoticeAsync();

    /// <summary>Whether <paramref name="subject"/> is a member in good standing now, and with which attributes.</summary>
    [Alias("standing"), Orleans.Concurrency.ReadOnly]
    Task<MemberStanding> GetStandingAsync(string subject);

    /// <summary>The current signed revocation list (re-signed when it nears its next update).</summary>
    [Alias("revocation-list")]
    Task<byte[]> GetRevocationListAsync();
}
