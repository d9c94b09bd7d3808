using Ockam.Identity.Identities;

namespace Ockam.Identity.Mls;

/// <summary>
/// The Authentication Service over Ockam identities: a leaf's credential is a basic credential whose identity is the
/// member's <see cref="Identifier"/> (its 32 bytes), and its signature key must be the key of a <c>GroupSigning</c>
/// purpose key attested by that identity, verified in <see cref="MlsMemberDirectory"/> and valid now. The leaf
/// signature covers the leaf's HPKE encryption key, so the identity vouches for that key through the signature key;
/// the encryption keys themselves change on every commit path and are not attested one by one. As each identifier has
/// one attested key, two leaves naming one identifier with different signature keys cannot both be accepted.
/// </summary>
internal sealed class OckamCredentialAuthentication(MlsMemberDirectory directory, TimeProvider time) : IMlsAuthenticationService
{
    public bool Accepts(LeafNode leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var identifier = IdentifierOf(leaf);
        var key = identifier is null ? null : directory.SigningKey(identifier, time.GetUtcNow());
        return key is not null && leaf.SignatureKey.Span.SequenceEqual(key.PublicKey);
    }

    /// <summary>The identifier a leaf's credential names, or null when it is not a basic credential of 32 bytes.</summary>
    internal static Identifier? IdentifierOf(LeafNode leaf) =>
        leaf.Credential is { CredentialType: CredentialType.Basic, Identity.Length: Identifier.HashLength }
            ? Identifier.FromHash(leaf.Credential.Identity.Span)
            : null;
}
