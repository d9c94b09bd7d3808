using System.Security.Cryptography;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// KeyPackage creation and validation (RFC 9420 §10, §10.1) and the Welcome (§12.4.3.1) between a committer and a
/// joiner, each with its own vault: the round trip, and each defence refusing what it exists to refuse.
/// </summary>
public sealed class WelcomeTests
{
    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Capabilities Capabilities = new([(ushort)ProtocolVersion.Mls10], [Suite.Id], [], [], [(ushort)CredentialType.Basic]);
    private static readonly Lifetime Lifetime = new((ulong)Now.AddHours(-1).ToUnixTimeSeconds(), (ulong)Now.AddDays(30).ToUnixTimeSeconds());

    [Fact]
    public async Task A_created_key_package_validates_and_holds_its_keys_in_the_vault()
    {
        using var vault = new SoftwareVault();
        var signer = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var bundle = await KeyPackageBundle.CreateAsync(vault, Suite, Credential.Basic("bob"u8.ToArray()), Capabilities, Lifetime, signer);

        KeyPackageValidation.Validate(vault, Suite, KeyPackage.Decode(bundle.KeyPackage.Encode()), Now);
        Assert.Equal(bundle.KeyPackage.InitKey.ToArray(), vault.GetPublicKey(bundle.InitKey));
        Assert.Equal(bundle.KeyPackage.LeafNode.EncryptionKey.ToArray(), vault.GetPublicKey(bundle.EncryptionKey));
        Assert.Equal(vault.GetPublicKey(signer), bundle.KeyPackage.LeafNode.SignatureKey.ToArray());
        Assert.Equal(LeafNodeSource.KeyPackage, bundle.KeyPackage.LeafNode.LeafNodeSource);
    }

    [Fact]
    public async Task Capabilities_without_the_suite_or_credential_type_make_no_key_package()
    {
        using var vault = new SoftwareVault();
        var signer = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var noSuite = new Capabilities([(ushort)ProtocolVersion.Mls10], [2], [], [], [(ushort)CredentialType.Basic]);
        var noBasic = new Capabilities([(ushort)ProtocolVersion.Mls10], [Suite.Id], [], [], [(ushort)CredentialType.X509]);
        await Assert.ThrowsAsync<ArgumentException>(() => KeyPackageBundle.CreateAsync(vault, Suite, Credential.Basic("bob"u8.ToArray()), noSuite, Lifetime, signer));
        await Assert.ThrowsAsync<ArgumentException>(() => KeyPackageBundle.CreateAsync(vault, Suite, Credential.Basic("bob"u8.ToArray()), noBasic, Lifetime, signer));
        Assert.Equal(1, vault.Count);
    }

    [Fact]
    public async Task A_key_package_with_a_bad_signature_is_refused()
    {
        using var vault = new SoftwareVault();
        var bundle = await NewKeyPackageAsync(vault, "bob");
        var kp = bundle.KeyPackage;
        var signature = kp.Signature.ToArray();
        signature[7] ^= 1;
        var forged = new KeyPackage(kp.Version, kp.CipherSuite, kp.InitKey, kp.LeafNode, kp.Extensions, signature);

        var refused = Assert.Throws<MlsCryptoException>(() => KeyPackageValidation.Validate(vault, Suite, forged, Now));
        Assert.Contains("signature does not verify under its leaf", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_package_whose_leaf_signature_is_bad_is_refused_though_the_package_is_signed()
    {
        // The only check of an added leaf's signature: a member applying an Add does not verify the same bytes again.
        using var vault = new SoftwareVault();
        var kp = (await NewKeyPackageAsync(vault, "bob")).KeyPackage;
        var signer = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var original = kp.LeafNode;
        var badSignature = LabeledSignature.SignWithLabel(vault, signer, LeafNode.SignatureLabel, original.EncodeTbs([], default));
        var unsignedLeaf = new LeafNode(
            original.EncryptionKey, vault.GetPublicKey(signer), original.Credential, original.Capabilities, LeafNodeSource.KeyPackage, original.Lifetime, ReadOnlyMemory<byte>.Empty, [], ReadOnlyMemory<byte>.Empty);

        // Signed over another leaf's content (the original's), so the signature is well formed but not this leaf's.
        var leaf = new LeafNode(
            unsignedLeaf.EncryptionKey, unsignedLeaf.SignatureKey, unsignedLeaf.Credential, unsignedLeaf.Capabilities, LeafNodeSource.KeyPackage, unsignedLeaf.Lifetime, ReadOnlyMemory<byte>.Empty, [], badSignature);
        var unsignedPackage = new KeyPackage(ProtocolVersion.Mls10, Suite.Id, kp.InitKey, leaf, [], ReadOnlyMemory<byte>.Empty);
        var forged = new KeyPackage(ProtocolVersion.Mls10, Suite.Id, kp.InitKey, leaf, [], LabeledSignature.SignWithLabel(vault, signer, KeyPackage.SignatureLabel, unsignedPackage.EncodeTbs()));

        var refused = Assert.Throws<MlsCryptoException>(() => KeyPackageValidation.Validate(vault, Suite, forged, Now));
        Assert.Contains("leaf's signature does not verify", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_package_outside_its_lifetime_is_refused()
    {
        using var vault = new SoftwareVault();
        var kp = (await NewKeyPackageAsync(vault, "bob")).KeyPackage;

        var expired = Assert.Throws<MlsCryptoException>(() => KeyPackageValidation.Validate(vault, Suite, kp, Now.AddDays(30).AddSeconds(1)));
        Assert.Contains("lifetime", expired.Message, StringComparison.Ordinal);
        Assert.Throws<MlsCryptoException>(() => KeyPackageValidation.Validate(vault, Suite, kp, Now.AddHours(-1).AddSeconds(-1)));
        KeyPackageValidation.Validate(vault, Suite, kp, Now.AddDays(30));
    }

    [Fact]
    public async Task A_key_package_whose_init_key_is_its_encryption_key_is_refused()
    {
        using var vault = new SoftwareVault();
        var signer = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var hpke = vault.GetPublicKey(await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral));

        // Properly signed by its owner: only the key reuse is wrong.
        var unsignedLeaf = new LeafNode(hpke, vault.GetPublicKey(signer), Credential.Basic("bob"u8.ToArray()), Capabilities, LeafNodeSource.KeyPackage, Lifetime, ReadOnlyMemory<byte>.Empty, [], ReadOnlyMemory<byte>.Empty);
        var leaf = new LeafNode(
            hpke, unsignedLeaf.SignatureKey, unsignedLeaf.Credential, Capabilities, LeafNodeSource.KeyPackage, Lifetime, ReadOnlyMemory<byte>.Empty, [],
            LabeledSignature.SignWithLabel(vault, signer, LeafNode.SignatureLabel, unsignedLeaf.EncodeTbs([], default)));
        var unsignedPackage = new KeyPackage(ProtocolVersion.Mls10, Suite.Id, hpke, leaf, [], ReadOnlyMemory<byte>.Empty);
        var kp = new KeyPackage(ProtocolVersion.Mls10, Suite.Id, hpke, leaf, [], LabeledSignature.SignWithLabel(vault, signer, KeyPackage.SignatureLabel, unsignedPackage.EncodeTbs()));

        var refused = Assert.Throws<MlsCryptoException>(() => KeyPackageValidation.Validate(vault, Suite, kp, Now));
        Assert.Contains("init_key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_package_for_another_suite_is_refused()
    {
        using var vault = new SoftwareVault();
        var kp = (await NewKeyPackageAsync(vault, "bob")).KeyPackage;
        var other = new KeyPackage(kp.Version, 2, kp.InitKey, kp.LeafNode, kp.Extensions, kp.Signature);
        Assert.Throws<MlsCryptoException>(() => KeyPackageValidation.Validate(vault, Suite, other, Now));
    }

    [Fact]
    public async Task A_welcome_round_trips_to_the_same_epoch_with_the_path_secret()
    {
        using var alice = new SoftwareVault();
        using var bob = new SoftwareVault();
        var committer = await Committer.CreateAsync(alice);
        var bundle = await NewKeyPackageAsync(bob, "bob");
        KeyPackageValidation.Validate(alice, Suite, KeyPackage.Decode(bundle.KeyPackage.Encode()), Now);
        var pathSecret = RandomNumberGenerator.GetBytes(Suite.Nh);

        var welcome = await committer.WelcomeAsync(committer.SignGroupInfo(), (bundle.KeyPackage, new PathSecret(pathSecret)));
        var received = MlsMessage.Decode(MlsMessage.Of(welcome).Encode()).Welcome!;

        using (var opened = WelcomeProtocol.Open(bob, received, bundle.KeyPackage, bundle.InitKey, _ => null, _ => committer.SignerPub))
        {
            Assert.Equal(committer.JoinerSecret, bob.ExportSecret(opened.JoinerSecret));
            Assert.Equal(pathSecret, bob.ExportSecret(opened.PathSecret!));
            Assert.Equal(committer.Context.Encode(), opened.GroupInfo.GroupContext.Encode());
            using var epoch = opened.EnterEpoch();
            Assert.Equal(alice.ExportSecret(committer.Epoch.ExporterSecret), bob.ExportSecret(epoch.ExporterSecret));
            Assert.Equal(alice.ExportSecret(committer.Epoch.EncryptionSecret), bob.ExportSecret(epoch.EncryptionSecret));
            Assert.Throws<InvalidOperationException>(() => opened.EnterEpoch());
        }

        // The init key is the caller's to delete; the encryption key becomes the leaf's. Nothing else is left.
        bob.DeleteEphemeralKey(bundle.InitKey);
        bob.DeleteEphemeralKey(bundle.EncryptionKey);
        bob.DeleteEphemeralKey(bundle.SignatureKeyForTests);
        Assert.Equal(0, bob.Count);
    }

    [Fact]
    public async Task One_welcome_serves_several_joiners_each_with_its_own_secrets()
    {
        using var alice = new SoftwareVault();
        using var bob = new SoftwareVault();
        using var carol = new SoftwareVault();
        var committer = await Committer.CreateAsync(alice);
        var bobs = await NewKeyPackageAsync(bob, "bob");
        var carols = await NewKeyPackageAsync(carol, "carol");
        var welcome = await committer.WelcomeAsync(committer.SignGroupInfo(), (bobs.KeyPackage, null), (carols.KeyPackage, new PathSecret(new byte[Suite.Nh])));

        using var bobOpened = WelcomeProtocol.Open(bob, welcome, bobs.KeyPackage, bobs.InitKey, _ => null, _ => committer.SignerPub);
        using var carolOpened = WelcomeProtocol.Open(carol, welcome, carols.KeyPackage, carols.InitKey, _ => null, _ => committer.SignerPub);
        Assert.Null(bobOpened.PathSecret);
        Assert.NotNull(carolOpened.PathSecret);
        Assert.Equal(bob.ExportSecret(bobOpened.JoinerSecret), carol.ExportSecret(carolOpened.JoinerSecret));
    }

    [Fact]
    public async Task A_welcome_with_psks_needs_them_and_they_reach_the_epoch()
    {
        using var alice = new SoftwareVault();
        using var bob = new SoftwareVault();
        var pskId = PreSharedKeyId.External("shared"u8, RandomNumberGenerator.GetBytes(Suite.Nh));
        var psk = RandomNumberGenerator.GetBytes(Suite.Nh);
        var committer = await Committer.CreateAsync(alice, (pskId, psk));
        var bundle = await NewKeyPackageAsync(bob, "bob");
        var welcome = await committer.WelcomeAsync(committer.SignGroupInfo(), (bundle.KeyPackage, null));

        var missing = Assert.Throws<MlsCryptoException>(() => WelcomeProtocol.Open(bob, welcome, bundle.KeyPackage, bundle.InitKey, _ => null, _ => committer.SignerPub));
        Assert.Contains("PSK", missing.Message, StringComparison.Ordinal);

        var held = bob.ImportEphemeralKey(KeyType.Secret, psk);
        using var opened = WelcomeProtocol.Open(bob, welcome, bundle.KeyPackage, bundle.InitKey, id => id.PskId.SequenceEqual(pskId.PskId) ? held : null, _ => committer.SignerPub);
        Assert.Single(opened.Psks);
        using var epoch = opened.EnterEpoch();
        Assert.Equal(alice.ExportSecret(committer.Epoch.ExporterSecret), bob.ExportSecret(epoch.ExporterSecret));
    }

    [Fact]
    public async Task A_welcome_not_for_us_is_refused_with_its_own_error()
    {
        using var alice = new SoftwareVault();
        using var bob = new SoftwareVault();
        var committer = await Committer.CreateAsync(alice);
        var bundle = await NewKeyPackageAsync(bob, "bob");
        var other = await NewKeyPackageAsync(bob, "bob");
        var welcome = await committer.WelcomeAsync(committer.SignGroupInfo(), (other.KeyPackage, null));

        var refused = Assert.Throws<WelcomeNotForUsException>(() => WelcomeProtocol.Open(bob, welcome, bundle.KeyPackage, bundle.InitKey, _ => null, _ => committer.SignerPub));
        Assert.Contains("not for us", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_info_signed_by_someone_else_is_refused()
    {
        using var alice = new SoftwareVault();
        using var bob = new SoftwareVault();
        var committer = await Committer.CreateAsync(alice);
        var bundle = await NewKeyPackageAsync(bob, "bob");
        var mallory = await alice.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var forged = GroupInfo.Sign(alice, mallory, committer.Context, [], committer.ConfirmationTag, new LeafIndex(0));
        var welcome = await committer.WelcomeAsync(forged, (bundle.KeyPackage, null));

        var refused = Assert.Throws<MlsCryptoException>(() => WelcomeProtocol.Open(bob, welcome, bundle.KeyPackage, bundle.InitKey, _ => null, _ => committer.SignerPub));
        Assert.Contains("signature", refused.Message, StringComparison.Ordinal);

        // Nothing the failed join imported or derived is left behind.
        Assert.Equal(3, bob.Count);
    }

    [Fact]
    public async Task A_tampered_encrypted_group_info_is_refused()
    {
        using var alice = new SoftwareVault();
        using var bob = new SoftwareVault();
        var committer = await Committer.CreateAsync(alice);
        var bundle = await NewKeyPackageAsync(bob, "bob");
        var welcome = await committer.WelcomeAsync(committer.SignGroupInfo(), (bundle.KeyPackage, null));
        var tampered = welcome.EncryptedGroupInfo.ToArray();
        tampered[^1] ^= 1;

        // The GroupSecrets were sealed with the encrypted GroupInfo as their context, so they no longer open.
        var refused = Assert.Throws<MlsCryptoException>(() =>
            WelcomeProtocol.Open(bob, new Welcome(welcome.CipherSuite, welcome.Secrets, tampered), bundle.KeyPackage, bundle.InitKey, _ => null, _ => committer.SignerPub));
        Assert.Contains("DecryptWithLabel", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_secrets_resealed_with_another_joiner_secret_do_not_open_the_group_info()
    {
        using var alice = new SoftwareVault();
        using var bob = new SoftwareVault();
        var committer = await Committer.CreateAsync(alice);
        var bundle = await NewKeyPackageAsync(bob, "bob");
        var welcome = await committer.WelcomeAsync(committer.SignGroupInfo(), (bundle.KeyPackage, null));

        // Anyone can seal to Bob's public init key, but without the joiner secret not to the GroupInfo's key.
        var guessed = new GroupSecrets(RandomNumberGenerator.GetBytes(Suite.Nh), null, []).Encode();
        var (kemOutput, ciphertext) = await LabeledEncryption.EncryptWithLabelAsync(
            alice, Suite, bundle.KeyPackage.InitKey.ToArray(), WelcomeProtocol.Label, welcome.EncryptedGroupInfo.ToArray(), guessed);
        var resealed = new Welcome(welcome.CipherSuite, [new EncryptedGroupSecrets(bundle.KeyPackage.ComputeRef(Suite), new HpkeCiphertext(kemOutput, ciphertext))], welcome.EncryptedGroupInfo);

        var refused = Assert.Throws<MlsCryptoException>(() => WelcomeProtocol.Open(bob, resealed, bundle.KeyPackage, bundle.InitKey, _ => null, _ => committer.SignerPub));
        Assert.Contains("welcome key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_info_with_a_wrong_confirmation_tag_enters_no_epoch()
    {
        using var alice = new SoftwareVault();
        using var bob = new SoftwareVault();
        var committer = await Committer.CreateAsync(alice);
        var bundle = await NewKeyPackageAsync(bob, "bob");
        var wrongTag = GroupInfo.Sign(alice, committer.SignatureKey, committer.Context, [], RandomNumberGenerator.GetBytes(32), new LeafIndex(0));
        var welcome = await committer.WelcomeAsync(wrongTag, (bundle.KeyPackage, null));

        using var opened = WelcomeProtocol.Open(bob, welcome, bundle.KeyPackage, bundle.InitKey, _ => null, _ => committer.SignerPub);
        Assert.Throws<MlsCryptoException>(() => opened.EnterEpoch());
    }

    [Fact]
    public async Task A_welcome_of_another_suite_is_refused()
    {
        using var alice = new SoftwareVault();
        using var bob = new SoftwareVault();
        var committer = await Committer.CreateAsync(alice);
        var bundle = await NewKeyPackageAsync(bob, "bob");
        var welcome = await committer.WelcomeAsync(committer.SignGroupInfo(), (bundle.KeyPackage, null));
        var other = new Welcome(2, welcome.Secrets, welcome.EncryptedGroupInfo);
        Assert.Throws<MlsCryptoException>(() => WelcomeProtocol.Open(bob, other, bundle.KeyPackage, bundle.InitKey, _ => null, _ => committer.SignerPub));
    }

    private static async Task<TestBundle> NewKeyPackageAsync(SoftwareVault vault, string name)
    {
        var signer = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var bundle = await KeyPackageBundle.CreateAsync(vault, Suite, Credential.Basic(System.Text.Encoding.UTF8.GetBytes(name)), Capabilities, Lifetime, signer);
        return new TestBundle(bundle.KeyPackage, bundle.InitKey, bundle.EncryptionKey, signer);
    }

    private sealed record TestBundle(KeyPackage KeyPackage, KeyHandle InitKey, KeyHandle EncryptionKey, KeyHandle SignatureKeyForTests);

    /// <summary>The committer's side of epoch 1 of a group: a joiner secret, PSKs, the epoch it leads to and its confirmation tag.</summary>
    private sealed class Committer
    {
        private readonly SoftwareVault vault;
        private readonly IReadOnlyList<PreSharedKeyId> psks;
        private readonly KeyHandle pskSecret;

        private Committer(SoftwareVault vault, KeyHandle signatureKey, byte[] joinerSecret, IReadOnlyList<PreSharedKeyId> psks, KeyHandle pskSecret, GroupContext context, EpochSecrets epoch)
        {
            this.vault = vault;
            this.psks = psks;
            this.pskSecret = pskSecret;
            SignatureKey = signatureKey;
            SignerPub = vault.GetPublicKey(signatureKey);
            JoinerSecret = joinerSecret;
            Context = context;
            Epoch = epoch;
            ConfirmationTag = Ockam.Identity.Mls.ConfirmationTag.Compute(vault, epoch.ConfirmationKey, context.ConfirmedTranscriptHash);
        }

        public KeyHandle SignatureKey { get; }

        public byte[] SignerPub { get; }

        public byte[] JoinerSecret { get; }

        public GroupContext Context { get; }

        public EpochSecrets Epoch { get; }

        public byte[] ConfirmationTag { get; }

        public static async Task<Committer> CreateAsync(SoftwareVault vault, params (PreSharedKeyId Id, byte[] Psk)[] psks)
        {
            var signatureKey = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
            var joinerSecret = RandomNumberGenerator.GetBytes(Suite.Nh);
            var pskHandles = psks.Select(p => (p.Id, vault.ImportEphemeralKey(KeyType.Secret, p.Psk))).ToList();
            var pskSecret = PskSecret.Derive(vault, Suite, pskHandles);
            var context = new GroupContext(Suite.Id, "group"u8, 1, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), []);
            var epoch = EpochSecrets.FromJoinerSecret(vault, vault.ImportEphemeralKey(KeyType.Secret, joinerSecret), pskSecret, context);
            return new Committer(vault, signatureKey, joinerSecret, [.. psks.Select(p => p.Id)], pskSecret, context, epoch);
        }

        public GroupInfo SignGroupInfo() => GroupInfo.Sign(vault, SignatureKey, Context, [], ConfirmationTag, new LeafIndex(0));

        public Task<Welcome> WelcomeAsync(GroupInfo groupInfo, params (KeyPackage KeyPackage, PathSecret? PathSecret)[] newMembers) =>
            WelcomeProtocol.CreateAsync(vault, Suite, JoinerSecret, pskSecret, psks, groupInfo, newMembers);
    }
}
