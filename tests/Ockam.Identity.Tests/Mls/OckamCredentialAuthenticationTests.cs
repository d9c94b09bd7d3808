using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using static Ockam.Identity.Tests.Mls.MlsScenes;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// Ockam identities as MLS credentials: members whose leaves are signed by GroupSigning purpose keys form a group, and
/// a leaf that names an identity with keys it did not attest is refused by members and joiners alike, as are unknown
/// identities, expired attestations, revoked identities, rolled-back histories and credentials that name no identifier.
/// </summary>
public sealed class OckamCredentialAuthenticationTests
{
    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public async Task Three_members_with_ockam_credentials_add_join_talk_and_update()
    {
        var time = new ManualTime();
        using var alice = await OckamMember.CreateAsync(time);
        using var bob = await OckamMember.CreateAsync(time);
        using var carol = await OckamMember.CreateAsync(time);
        OckamMember.Introduce(alice, bob, carol);
        await alice.FoundAsync();

        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage)), new Proposal(new AddProposal(carol.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Join(add.Welcome!);
        carol.Join(add.Welcome!);

        var update = await bob.Group.CommitAsync([]);
        bob.Group.MergePendingCommit();
        alice.Group.ProcessCommit(Wire(update.Commit));
        carol.Group.ProcessCommit(Wire(update.Commit));

        var message = Wire(carol.Group.Encrypt("hello"u8.ToArray()));
        Assert.Equal("hello"u8.ToArray(), alice.Group.Decrypt(message).ApplicationData);
        Assert.Equal("hello"u8.ToArray(), bob.Group.Decrypt(message).ApplicationData);
        Assert.All(new[] { alice, bob, carol }, m => Assert.Equal(2UL, m.Group.Epoch));
        Assert.Equal(
            new[] { alice.Identifier, bob.Identifier, carol.Identifier },
            alice.Group.Members.Select(m => OckamCredentialAuthentication.IdentifierOf(m.Leaf)));
    }

    [Fact]
    public async Task A_member_refuses_an_add_of_a_leaf_naming_another_identity_with_the_attackers_key()
    {
        var time = new ManualTime();
        using var alice = await OckamMember.CreateAsync(time);
        using var bob = await OckamMember.CreateAsync(time);
        using var mallory = await OckamMember.CreateAsync(time, new BasicCredentialAuthentication());
        OckamMember.Introduce(alice, bob, mallory);
        await mallory.FoundAsync();
        var add = await mallory.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        mallory.Group.MergePendingCommit();
        bob.Join(add.Welcome!);

        // Mallory's key package names Alice's identifier but carries, and is signed by, a key of Mallory's.
        var forged = await ForgedPackageAsync(mallory.Vault, Credential.Basic(alice.Identifier.ToBytes()));
        var before = bob.Snapshot();
        var commit = await mallory.Group.CommitAsync([new Proposal(new AddProposal(forged.KeyPackage))]);
        Assert.Equal(MlsGroupError.Unauthenticated, Assert.Throws<MlsGroupException>(() => bob.Group.ProcessCommit(Wire(commit.Commit))).Error);
        Assert.Equal(before, bob.Snapshot());
    }

    [Fact]
    public async Task A_joiner_refuses_a_tree_with_a_leaf_naming_another_identity_with_other_keys()
    {
        var time = new ManualTime();
        using var alice = await OckamMember.CreateAsync(time);
        using var bob = await OckamMember.CreateAsync(time);
        using var mallory = await OckamMember.CreateAsync(time, new BasicCredentialAuthentication());
        OckamMember.Introduce(alice, bob, mallory);
        await mallory.FoundAsync();
        var forged = await ForgedPackageAsync(mallory.Vault, Credential.Basic(alice.Identifier.ToBytes()));
        await mallory.Group.CommitAsync([new Proposal(new AddProposal(forged.KeyPackage))]);
        mallory.Group.MergePendingCommit();

        var invite = await mallory.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        var keys = bob.Vault.Count;
        Assert.Equal(MlsGroupError.Unauthenticated, Assert.Throws<MlsGroupException>(() => bob.Join(invite.Welcome!)).Error);
        Assert.Equal(keys, bob.Vault.Count);
    }

    [Fact]
    public async Task Unknown_identities_and_credentials_that_name_no_identifier_are_refused()
    {
        var time = new ManualTime();
        using var alice = await OckamMember.CreateAsync(time);
        using var stranger = await OckamMember.CreateAsync(time);
        OckamMember.Introduce(alice);

        Assert.True(alice.Authentication.Accepts(alice.Bundle.KeyPackage.LeafNode));
        Assert.False(alice.Authentication.Accepts(stranger.Bundle.KeyPackage.LeafNode));
        Assert.Equal([stranger.Identifier], alice.Directory.Missing([alice.Bundle.KeyPackage.LeafNode, stranger.Bundle.KeyPackage.LeafNode]));

        // Once its history and attestation are added, it is known.
        alice.Directory.Add(stranger.Identity.History, stranger.SigningKey.Attestation, time.Now);
        Assert.True(alice.Authentication.Accepts(stranger.Bundle.KeyPackage.LeafNode));
        Assert.Empty(alice.Directory.Missing([stranger.Bundle.KeyPackage.LeafNode]));

        // Garbage identity bytes, a truncated identifier and an x509 credential, each signed by Alice's attested key.
        foreach (var credential in new[]
        {
            Credential.Basic("alice"u8.ToArray()),
            Credential.Basic(alice.Identifier.ToBytes().AsMemory(0, 31)),
            Credential.X509([alice.Identifier.ToBytes()]),
        })
        {
            var package = await KeyPackageBundle.CreateAsync(alice.Vault, Suite, credential, Capabilities, Lifetime(time), alice.SigningKey.Key);
            Assert.False(alice.Authentication.Accepts(package.KeyPackage.LeafNode));
            Assert.Empty(alice.Directory.Missing([package.KeyPackage.LeafNode]));
        }
    }

    [Fact]
    public async Task An_expired_attestation_and_a_revoked_identity_are_refused()
    {
        var time = new ManualTime();
        using var alice = await OckamMember.CreateAsync(time, signingKeyLifetime: TimeSpan.FromHours(1));
        using var bob = await OckamMember.CreateAsync(time);
        OckamMember.Introduce(alice, bob);
        Assert.True(bob.Authentication.Accepts(alice.Bundle.KeyPackage.LeafNode));
        time.Advance(TimeSpan.FromHours(2));
        Assert.False(bob.Authentication.Accepts(alice.Bundle.KeyPackage.LeafNode));

        // A revocation learnt later voids the signing key that was accepted before.
        Assert.True(alice.Authentication.Accepts(bob.Bundle.KeyPackage.LeafNode));
        var revoked = await bob.Identities.RevokeAsync(bob.Identity);
        alice.Known.Accept(revoked, time.Now);
        Assert.False(alice.Authentication.Accepts(bob.Bundle.KeyPackage.LeafNode));
    }

    [Fact]
    public async Task A_rolled_back_history_and_a_key_of_another_purpose_are_not_added()
    {
        var time = new ManualTime();
        using var alice = await OckamMember.CreateAsync(time);
        using var bob = await OckamMember.CreateAsync(time);
        OckamMember.Introduce(alice, bob);
        var rotated = await alice.Identities.RotateAsync(alice.Identity);
        bob.Directory.Add(rotated.History, alice.SigningKey.Attestation, time.Now);

        var rolledBack = Assert.Throws<IdentityException>(() => bob.Directory.Add(alice.Identity.History, alice.SigningKey.Attestation, time.Now));
        Assert.Equal(IdentityError.RolledBack, rolledBack.Error);

        var agreement = await alice.Identities.CreatePurposeKeyAsync(rotated, Purpose.GroupKeyAgreement, TimeSpan.FromDays(1));
        var wrongPurpose = Assert.Throws<IdentityException>(() => bob.Directory.Add(rotated.History, agreement.Attestation, time.Now));
        Assert.Equal(IdentityError.AttestationWrongPurpose, wrongPurpose.Error);
    }

    private static readonly Capabilities Capabilities =
        new([(ushort)ProtocolVersion.Mls10], [Suite.Id], [], [], [(ushort)CredentialType.Basic, (ushort)CredentialType.X509]);

    private static Lifetime Lifetime(ManualTime time) =>
        new((ulong)time.Now.AddHours(-1).ToUnixTimeSeconds(), (ulong)time.Now.AddDays(30).ToUnixTimeSeconds());

    /// <summary>A key package with <paramref name="credential"/>, signed by a fresh key that no identity attested.</summary>
    private static async Task<KeyPackageBundle> ForgedPackageAsync(SoftwareVault vault, Credential credential)
    {
        var key = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        return await KeyPackageBundle.CreateAsync(vault, Suite, credential, Capabilities, Lifetime(new ManualTime()), key);
    }

    /// <summary>
    /// A member with a real Ockam identity in its own vault, a GroupSigning purpose key whose vault handle signs its leaf,
    /// its own <see cref="KnownIdentities"/> and directory, and the Ockam Authentication Service (unless given another).
    /// </summary>
    private sealed class OckamMember : IDisposable
    {
        private readonly ManualTime time;
        private readonly MlsGroupServices services;
        private MlsGroup? group;

        private OckamMember(SoftwareVault vault, ManualTime time, IdentityManager identities, LocalIdentity identity, PurposeKey signingKey, KeyPackageBundle bundle, IMlsAuthenticationService? authentication)
        {
            Vault = vault;
            this.time = time;
            Identities = identities;
            Identity = identity;
            SigningKey = signingKey;
            Bundle = bundle;
            Known = new KnownIdentities(vault);
            Directory = new MlsMemberDirectory(Known, vault);
            Authentication = new OckamCredentialAuthentication(Directory, time);
            services = new MlsGroupServices(vault, authentication ?? Authentication, time: time);
        }

        public SoftwareVault Vault { get; }

        public IdentityManager Identities { get; }

        public LocalIdentity Identity { get; }

        public Identifier Identifier => Identity.Identifier;

        public PurposeKey SigningKey { get; }

        public KeyPackageBundle Bundle { get; }

        public KnownIdentities Known { get; }

        public MlsMemberDirectory Directory { get; }

        public OckamCredentialAuthentication Authentication { get; }

        public MlsGroup Group => group ?? throw new InvalidOperationException("not in a group");

        public static async Task<OckamMember> CreateAsync(ManualTime time, IMlsAuthenticationService? authentication = null, TimeSpan? signingKeyLifetime = null)
        {
            var vault = new SoftwareVault();
            var identities = new IdentityManager(vault, time);
            var identity = await identities.CreateAsync();
            var signingKey = await identities.CreatePurposeKeyAsync(identity, Purpose.GroupSigning, signingKeyLifetime ?? TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
            var bundle = await KeyPackageBundle.CreateAsync(vault, Suite, Credential.Basic(identity.Identifier.ToBytes()), Capabilities, Lifetime(time), signingKey.Key);
            return new OckamMember(vault, time, identities, identity, signingKey, bundle, authentication);
        }

        /// <summary>Every member learns every member's history and signing key attestation, as from the silo.</summary>
        public static void Introduce(params OckamMember[] members)
        {
            foreach (var member in members)
            {
                foreach (var other in members)
                {
                    member.Directory.Add(other.Identity.History, other.SigningKey.Attestation, member.time.Now);
                }
            }
        }

        public async Task FoundAsync() =>
            group = await MlsGroup.CreateAsync(services, "room"u8.ToArray(), Bundle, SigningKey.Key, []);

        public void Join(Welcome welcome) =>
            group = MlsGroup.Join(services, MlsMessage.Decode(MlsMessage.Of(welcome).Encode()).Welcome!, Bundle.KeyPackage, Bundle.InitKey, Bundle.EncryptionKey, SigningKey.Key, null);

        /// <summary>What a refused commit must not change: epoch, tree hash, transcript, members, vault size.</summary>
        public string Snapshot() => string.Join(
            '|',
            Group.Epoch,
            Convert.ToHexString(Group.Context.TreeHash),
            Convert.ToHexString(Group.Context.ConfirmedTranscriptHash),
            string.Join(',', Group.Members.Select(m => m.Index.Value)),
            Vault.Count);

        public void Dispose()
        {
            group?.Dispose();
            Vault.Dispose();
        }
    }
}
