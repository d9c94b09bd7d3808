using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// KeyPackage validation (RFC 9420 §10.1), as a member does before it adds a client, and the parts of leaf node
/// validation (§7.3) that need no group: what needs the tree (credential types in use, unique keys,
/// required_capabilities) is the group's to check. Cheap checks come first, then the two signatures.
/// </summary>
internal static class KeyPackageValidation
{
    /// <summary>Checks that <paramref name="keyPackage"/> is valid for a group of <paramref name="suite"/> at <paramref name="now"/>.</summary>
    /// <exception cref="MlsCryptoException">It is not; the message says why.</exception>
    public static void Validate(IVault vault, CipherSuite suite, KeyPackage keyPackage, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(keyPackage);
        if (keyPackage.Version != ProtocolVersion.Mls10)
        {
            throw Invalid($"its version {(ushort)keyPackage.Version} is not mls10");
        }

        if (keyPackage.CipherSuite != suite.Id)
        {
            throw Invalid($"its cipher suite 0x{keyPackage.CipherSuite:x4} is not the group's 0x{suite.Id:x4}");
        }

        var leaf = keyPackage.LeafNode;
        if (leaf.LeafNodeSource != LeafNodeSource.KeyPackage)
        {
            throw Invalid($"its leaf's source is {leaf.LeafNodeSource}, not key_package");
        }

        // A client that does not claim the suite or its own credential type could not take part once added.
        if (!leaf.Capabilities.CipherSuites.Contains(suite.Id))
        {
            throw Invalid($"its leaf's capabilities do not list cipher suite 0x{suite.Id:x4}");
        }

        if (!leaf.Capabilities.Credentials.Contains((ushort)leaf.Credential.CredentialType))
        {
            throw Invalid($"its leaf's capabilities do not list its own credential type {leaf.Credential.CredentialType}");
        }

        // The members add it now, so its lifetime must hold now (the RFC's "message being sent" case).
        var seconds = now.ToUnixTimeSeconds();
        if (seconds < 0 || (ulong)seconds < leaf.Lifetime!.NotBefore || (ulong)seconds > leaf.Lifetime.NotAfter)
        {
            throw Invalid($"its lifetime [{leaf.Lifetime!.NotBefore}, {leaf.Lifetime.NotAfter}] does not hold at {seconds}");
        }

        // One HPKE key for both roles would let the Welcome's recipient key also open path secrets sent to the leaf (and vice versa).
        if (keyPackage.InitKey.Span.SequenceEqual(leaf.EncryptionKey.Span))
        {
            throw Invalid("its init_key is its leaf's encryption_key");
        }

        if (!LabeledSignature.VerifyWithLabel(vault, leaf.SignatureKey.Span, LeafNode.SignatureLabel, leaf.EncodeTbs([], default), leaf.Signature.Span))
        {
            throw Invalid("its leaf's signature does not verify");
        }

        if (!LabeledSignature.VerifyWithLabel(vault, leaf.SignatureKey.Span, KeyPackage.SignatureLabel, keyPackage.EncodeTbs(), keyPackage.Signature.Span))
        {
            throw Invalid("its signature does not verify under its leaf's signature key");
        }
    }

    private static MlsCryptoException Invalid(string why) => new($"invalid KeyPackage: {why}");
}
