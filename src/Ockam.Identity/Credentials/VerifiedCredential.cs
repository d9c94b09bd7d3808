using Ockam.Identity.Identities;

namespace Ockam.Identity.Credentials;

/// <summary>
/// A credential that passed verification. <see cref="TrustAnchor"/> is the trusted issuer at the top of the
/// chain (the issuer itself when there is no delegation). Only a verifier makes one, so policies that take
/// these evaluate verified attributes only.
/// </summary>
public sealed class VerifiedCredential
{
    internal VerifiedCredential(CredentialData data, Identifier trustAnchor)
    {
        Data = data;
        TrustAnchor = trustAnchor;
    }

    public CredentialData Data { get; }

    public Identifier Subject => Data.Subject;

    public Identifier Issuer => Data.Issuer;

    public Identifier TrustAnchor { get; }

    public IReadOnlyDictionary<string, byte[]> Attributes => Data.Attributes;

    public DateTimeOffset ExpiresAt => Data.ExpiresAt;
}
