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

    /// <summary>Makes a one-time token granting <paramref name="attributes"/>; only the caller ever sees the token.</summary>
    [Alias("create-token")]
    Task<string> CreateTokenAsync(IReadOnlyDictionary<string, byte[]> attributes, TimeSpan validFor, string createdBy);

    /// <summary>Redeems <paramref name="token"/> for <paramref name="subject"/>, makes it a member, and issues its credential.</summary>
    [Alias("enroll")]
    Task<AuthorityResult> EnrollAsync(string token, string subject);

    /// <summary>A fresh credential for a member, with the attributes it enrolled with.</summary>
    [Alias("credential")]
    Task<AuthorityResult> GetCredentialAsync(string subject);

    /// <summary>Issues a credential directly (administration, bootstrap).</summary>
    [Alias("issue")]
    Task<AuthorityResult> IssueAsync(string subject, IReadOnlyDictionary<string, byte[]> attributes);

    /// <summary>Lets <paramref name="subject"/> issue credentials carrying only <paramref name="attributes"/> (names).</summary>
    [Alias("delegate")]
    Task<AuthorityResult> DelegateAsync(string subject, IReadOnlyList<string> attributes);

    /// <summary>Revokes one serial; returns the new signed revocation list.</summary>
    [Alias("revoke")]
    Task<byte[]> RevokeAsync(ulong serial);

    /// <summary>Removes a member and revokes every credential issued to it; returns the new revocation list.</summary>
    [Alias("revoke-member")]
    Task<byte[]> RevokeMemberAsync(string subject);

    /// <summary>The current signed revocation list (re-signed when it nears its next update).</summary>
    [Alias("revocation-list")]
    Task<byte[]> GetRevocationListAsync();
}
