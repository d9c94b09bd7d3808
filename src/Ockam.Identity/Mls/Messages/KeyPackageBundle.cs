using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// A KeyPackage this client made (RFC 9420 §10) with the private halves of its two HPKE keys, both vault handles the
/// caller owns: <see cref="InitKey"/> opens the Welcome that adds it (and is deleted after that one use, §16.8), and
/// <see cref="EncryptionKey"/> becomes its leaf's private key in the group it joins.
/// </summary>
internal sealed class KeyPackageBundle
{
    private KeyPackageBundle(KeyPackage keyPackage, KeyHandle initKey, KeyHandle encryptionKey)
    {
        KeyPackage = keyPackage;
        InitKey = initKey;
        EncryptionKey = encryptionKey;
    }

    public KeyPackage KeyPackage { get; }

    /// <summary>init_key's private key.</summary>
    public KeyHandle InitKey { get; }

    /// <summary>leaf_node.encryption_key's private key.</summary>
    public KeyHandle EncryptionKey { get; }

    /// <summary>
    /// A key package of <paramref name="suite"/> with fresh init and encryption keys generated in the vault, a
    /// key_package leaf for <paramref name="credential"/> with <paramref name="capabilities"/> and
    /// <paramref name="lifetime"/>, the leaf signed under "LeafNodeTBS" and the package under "KeyPackageTBS" with
    /// <paramref name="signatureKey"/> (the Ed25519 key whose public half the leaf carries). No extensions.
    /// The two HPKE keys are <paramref name="persistence"/>: persistent for a package published to be claimed later
    /// (its Welcome may come after a restart), ephemeral for one used within this process.
    /// </summary>
    /// <exception cref="ArgumentException">The capabilities do not list the suite or the credential's type, so every member would refuse the package (§10.1).</exception>
    public static async Task<KeyPackageBundle> CreateAsync(
        IVault vault, CipherSuite suite, Credential credential, Capabilities capabilities, Lifetime lifetime, KeyHandle signatureKey,
        KeyPersistence persistence = KeyPersistence.Ephemeral, CancellationToken cancellationToken = default) =>
        (await CreateManyAsync(vault, suite, credential, capabilities, lifetime, signatureKey, 1, persistence, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// <paramref name="count"/> packages as <see cref="CreateAsync"/> makes one, their keys all generated in one call:
    /// a persistent vault stores them with one write, where packages made one by one (even at once) cost a durable
    /// write each after the first.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="CreateAsync"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public static async Task<KeyPackageBundle[]> CreateManyAsync(
        IVault vault, CipherSuite suite, Credential credential, Capabilities capabilities, Lifetime lifetime, KeyHandle signatureKey,
        int count, KeyPersistence persistence = KeyPersistence.Ephemeral, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(capabilities);
        ArgumentNullException.ThrowIfNull(lifetime);
        ArgumentNullException.ThrowIfNull(signatureKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!capabilities.CipherSuites.Contains(suite.Id) || !capabilities.Credentials.Contains((ushort)credential.CredentialType))
        {
            throw new ArgumentException($"the capabilities must list cipher suite 0x{suite.Id:x4} and credential type {credential.CredentialType}", nameof(capabilities));
        }

        // All at once: a persistent vault stores them with one write. Package i has keys 2i (init) and 2i + 1 (encryption).
        var keys = await vault.GenerateKeysAsync([.. Enumerable.Repeat(KeyType.X25519, 2 * count)], persistence, cancellationToken).ConfigureAwait(false);
        try
        {
            var bundles = new KeyPackageBundle[count];
            for (var i = 0; i < count; i++)
            {
                bundles[i] = Sign(vault, suite, credential, capabilities, lifetime, signatureKey, keys[2 * i], keys[(2 * i) + 1]);
            }

            return bundles;
        }
        catch
        {
            foreach (var key in keys)
            {
                await vault.DeleteKeyAsync(key, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }
    }

    private static KeyPackageBundle Sign(
        IVault vault, CipherSuite suite, Credential credential, Capabilities capabilities, Lifetime lifetime, KeyHandle signatureKey, KeyHandle initKey, KeyHandle encryptionKey)
    {
        var unsignedLeaf = new LeafNode(
            vault.GetPublicKey(encryptionKey), vault.GetPublicKey(signatureKey), credential, capabilities, LeafNodeSource.KeyPackage, lifetime, ReadOnlyMemory<byte>.Empty, [], ReadOnlyMemory<byte>.Empty);

        // A key_package leaf is in no group yet, so its LeafNodeTBS carries no group id or leaf index.
        var leafSignature = LabeledSignature.SignWithLabel(vault, signatureKey, LeafNode.SignatureLabel, unsignedLeaf.EncodeTbs([], default));
        var leaf = new LeafNode(
            unsignedLeaf.EncryptionKey, unsignedLeaf.SignatureKey, credential, capabilities, LeafNodeSource.KeyPackage, lifetime, ReadOnlyMemory<byte>.Empty, [], leafSignature);
        var unsignedPackage = new KeyPackage(ProtocolVersion.Mls10, suite.Id, vault.GetPublicKey(initKey), leaf, [], ReadOnlyMemory<byte>.Empty);
        var signature = LabeledSignature.SignWithLabel(vault, signatureKey, KeyPackage.SignatureLabel, unsignedPackage.EncodeTbs());
        var keyPackage = new KeyPackage(ProtocolVersion.Mls10, suite.Id, unsignedPackage.InitKey, leaf, [], signature);
        return new KeyPackageBundle(keyPackage, initKey, encryptionKey);
    }
}
