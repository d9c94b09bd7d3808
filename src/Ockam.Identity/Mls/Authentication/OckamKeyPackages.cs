using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// The KeyPackages (RFC 9420 §10) an Ockam node publishes so that it can be invited: suite 0x0001, a basic credential
/// holding the member's <see cref="Identifier"/> hash (what <see cref="OckamCredentialAuthentication.IdentifierOf"/>
/// reads), signed by its <c>GroupSigning</c> purpose key (what <see cref="OckamCredentialAuthentication"/> checks), and
/// capabilities for MLS 1.0, that suite, basic credentials and the GroupContext extension types its groups require.
/// </summary>
internal static class OckamKeyPackages
{
    /// <summary>How long a package may wait to be claimed and used; the signing attestation's expiry bounds it too.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    /// <summary>not_before is set this far back, so a member whose clock is behind ours still accepts the package.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromHours(1);

    public static CipherSuite Suite => CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    /// <summary>
    /// A package for the identity that <paramref name="signingKey"/> attests, valid from <see cref="ClockSkew"/> before
    /// now until <see cref="Lifetime"/> after it or the attestation's expiry, whichever is first; its init and
    /// encryption keys are <paramref name="persistence"/> keys of <paramref name="vault"/>; its capabilities list
    /// <paramref name="extensionTypes"/>, the GroupContext extension types (required_capabilities) of the groups it may join.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="signingKey"/> is not a GroupSigning key, or has expired.</exception>
    public static async Task<KeyPackageBundle> CreateAsync(
        IVault vault, PurposeKey signingKey, TimeProvider time, IReadOnlyList<ushort> extensionTypes, KeyPersistence persistence, CancellationToken cancellationToken = default) =>
        (await CreateManyAsync(vault, signingKey, time, extensionTypes, 1, persistence, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// <paramref name="count"/> packages as <see cref="CreateAsync"/> makes one, with their keys generated together: a
    /// persistent vault writes them in one durable write, not one per package.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="CreateAsync"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public static Task<KeyPackageBundle[]> CreateManyAsync(
        IVault vault, PurposeKey signingKey, TimeProvider time, IReadOnlyList<ushort> extensionTypes, int count, KeyPersistence persistence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(extensionTypes);
        var attestation = signingKey.Attestation;
        if (attestation.Purpose != Purpose.GroupSigning)
        {
            throw new ArgumentException($"a key package is signed by a GroupSigning key, not a {attestation.Purpose} key", nameof(signingKey));
        }

        var now = time.GetUtcNow();
        var notAfter = now + Lifetime < attestation.ExpiresAt ? now + Lifetime : attestation.ExpiresAt;
        if (notAfter <= now)
        {
            throw new ArgumentException($"the GroupSigning key expired at {attestation.ExpiresAt:O}", nameof(signingKey));
        }

        var capabilities = new Capabilities(
            [(ushort)ProtocolVersion.Mls10], [Suite.Id], [.. extensionTypes.Distinct()], [], [(ushort)CredentialType.Basic]);
        var lifetime = new Lifetime((ulong)(now - ClockSkew).ToUnixTimeSeconds(), (ulong)notAfter.ToUnixTimeSeconds());
        return KeyPackageBundle.CreateManyAsync(
            vault, Suite, Credential.Basic(attestation.Subject.ToBytes()), capabilities, lifetime, signingKey.Key, count, persistence, cancellationToken);
    }

    /// <summary>
    /// Decodes a package that <paramref name="subject"/> publishes and checks it as a member would before adding it
    /// (<see cref="KeyPackageValidation"/>, at <paramref name="now"/>), and that it is the subject's: its credential
    /// names <paramref name="subject"/> and its signature key is <paramref name="signingKey"/>, the subject's verified
    /// GroupSigning key. So no one publishes packages for another identity, or under keys the identity did not attest.
    /// </summary>
    /// <exception cref="Encoding.OckamDecodeException">It is not one encoded KeyPackage.</exception>
    /// <exception cref="MlsCryptoException">It is not valid, or not the subject's; the message says why.</exception>
    public static KeyPackage Check(IVault vault, ReadOnlySpan<byte> encoded, Identifier subject, ReadOnlySpan<byte> signingKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(subject);
        var keyPackage = KeyPackage.Decode(encoded);
        var named = OckamCredentialAuthentication.IdentifierOf(keyPackage.LeafNode);
        if (named != subject)
        {
            throw new MlsCryptoException($"invalid KeyPackage: its credential names {named?.ToString() ?? "no identifier"}, not {subject}");
        }

        if (!keyPackage.LeafNode.SignatureKey.Span.SequenceEqual(signingKey))
        {
            throw new MlsCryptoException($"invalid KeyPackage: its signature key is not the GroupSigning key {subject} attested");
        }

        KeyPackageValidation.Validate(vault, Suite, keyPackage, now);
        return keyPackage;
    }
}
