using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using static Ockam.Identity.Tests.Mls.MlsScenes;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// Our own members in one group, each with its own vault, every message through its wire encoding: create, add by
/// Welcome (tree in the GroupInfo or out of band), send and receive, update, remove; a removed member reads nothing
/// later; a refused pending commit and every refused message leave the group as it was.
/// </summary>
public sealed class MlsGroupTests
{
    [Fact]
    public async Task Three_members_add_talk_update_and_remove()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await alice.FoundAsync("room"u8.ToArray());

        // Bob joins with the tree in the Welcome's GroupInfo.
        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        Assert.Null(Wire(add.Commit).PublicMessage!.Content.Commit!.Path);
        var welcome = Wire(MlsMessage.Of(add.Welcome!)).Welcome!;
        alice.Group.MergePendingCommit();
        bob.Join(welcome, null);
        AssertSameEpoch(1, alice, bob);

        // Carol joins with the tree given out of band; Bob follows the add.
        add = await alice.Group.CommitAsync([new Proposal(new AddProposal(carol.Bundle.KeyPackage))], ratchetTreeInWelcome: false);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(add.Commit));
        var carolKeys = carol.Vault.Count;
        Assert.Equal(MlsGroupError.InvalidTree, Assert.Throws<MlsGroupException>(() => carol.Join(Wire(MlsMessage.Of(add.Welcome!)).Welcome!, null)).Error);
        Assert.Equal(carolKeys, carol.Vault.Count);
        carol.Join(Wire(MlsMessage.Of(add.Welcome!)).Welcome!, RatchetTree.Decode(alice.Group.ExportRatchetTree().Encode()));
        AssertSameEpoch(2, alice, bob, carol);

        AssertDelivered("hello from bob", bob, alice, carol);
        AssertDelivered("hello from carol", carol, alice, bob);

        // Bob updates his keys with an empty commit (it carries a path).
        var update = await bob.Group.CommitAsync([]);
        Assert.NotNull(Wire(update.Commit).PublicMessage!.Content.Commit!.Path);
        bob.Group.MergePendingCommit();
        alice.Group.ProcessCommit(Wire(update.Commit));
        carol.Group.ProcessCommit(Wire(update.Commit));
        AssertSameEpoch(3, alice, bob, carol);
        AssertDelivered("after the update", alice, bob, carol);

        // Alice removes Bob; Bob learns he is out and reads nothing of the new epoch.
        var remove = await alice.Group.CommitAsync([new Proposal(new RemoveProposal(bob.Group.OwnLeaf))]);
        alice.Group.MergePendingCommit();
        carol.Group.ProcessCommit(Wire(remove.Commit));
        bob.Group.ProcessCommit(Wire(remove.Commit));
        Assert.False(bob.Group.IsActive);
        AssertSameEpoch(4, alice, carol);
        Assert.Equal(2, alice.Group.Members.Count());

        var secret = Wire(carol.Group.Encrypt("bob must not read this"u8.ToArray()));
        Assert.Equal("bob must not read this"u8.ToArray(), alice.Group.Decrypt(secret).ApplicationData);
        Assert.Equal(MlsGroupError.Removed, Assert.Throws<MlsGroupException>(() => bob.Group.Decrypt(secret)).Error);

        // Bob's group deleted every secret it held; what is left in his vault is his own signature key.
        Assert.Equal(1, bob.Vault.Count);
    }

    [Fact]
    public async Task A_refused_pending_commit_leaves_the_group_unchanged()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await alice.FoundAsync("room"u8.ToArray());
        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Join(add.Welcome!, null);

        var before = alice.Snapshot();
        var fromBob = Wire(bob.Group.Encrypt("sent in epoch 1"u8.ToArray()));

        // Alice and Bob commit in the same epoch; the Delivery Service takes Bob's and refuses Alice's.
        var refused = await alice.Group.CommitAsync([new Proposal(new AddProposal(carol.Bundle.KeyPackage))]);
        Assert.Same(refused, alice.Group.Pending);
        await Assert.ThrowsAsync<InvalidOperationException>(() => alice.Group.CommitAsync([]));
        var accepted = await bob.Group.CommitAsync([]);
        bob.Group.MergePendingCommit();

        alice.Group.DiscardPendingCommit();
        Assert.Null(alice.Group.Pending);
        Assert.Equal(before, alice.Snapshot());
        Assert.Equal("sent in epoch 1"u8.ToArray(), alice.Group.Decrypt(fromBob).ApplicationData);

        alice.Group.ProcessCommit(Wire(accepted.Commit));
        AssertSameEpoch(2, alice, bob);

        // A commit processed from another member also drops a pending one of ours: it lost the race.
        await alice.Group.CommitAsync([]);
        var second = await bob.Group.CommitAsync([]);
        bob.Group.MergePendingCommit();
        alice.Group.ProcessCommit(Wire(second.Commit));
        Assert.Null(alice.Group.Pending);
        AssertSameEpoch(3, alice, bob);
    }

    [Fact]
    public async Task A_refused_commit_or_message_changes_nothing()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol", new BasicCredentialAuthentication(), new RefuseRemovesBy(new LeafIndex(0)));
        await alice.FoundAsync("room"u8.ToArray());
        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Join(add.Welcome!, null);
        add = await alice.Group.CommitAsync([new Proposal(new AddProposal(carol.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(add.Commit);
        carol.Join(add.Welcome!, null);
        var bobBefore = bob.Snapshot();
        var carolBefore = carol.Snapshot();

        var remove = await alice.Group.CommitAsync([new Proposal(new RemoveProposal(bob.Group.OwnLeaf))]);
        var encoded = remove.Commit.Encode();

        // A flipped bit anywhere in the signed part or the tags: refused, and Bob is where he was.
        foreach (var at in new[] { 20, encoded.Length / 2, encoded.Length - 40, encoded.Length - 1 })
        {
            var tampered = (byte[])encoded.Clone();
            tampered[at] ^= 0x01;
            Assert.ThrowsAny<Exception>(() => bob.Group.ProcessCommit(MlsMessage.Decode(tampered)));
            Assert.Equal(bobBefore, bob.Snapshot());
        }

        // Carol's policy refuses removals by Alice: a typed refusal, and Carol is unchanged.
        Assert.Equal(MlsGroupError.Unauthorized, Assert.Throws<MlsGroupException>(() => carol.Group.ProcessCommit(Wire(remove.Commit))).Error);
        Assert.Equal(carolBefore, carol.Snapshot());

        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(remove.Commit));
        Assert.False(bob.Group.IsActive);

        // A commit of an epoch left behind, or of another group, is refused as such.
        var next = await alice.Group.CommitAsync([]);
        alice.Group.DiscardPendingCommit();
        Assert.Equal(MlsGroupError.WrongEpoch, Assert.Throws<MlsGroupException>(() => carol.Group.ProcessCommit(Wire(next.Commit))).Error);
        Assert.Equal(MlsGroupError.WrongEpoch, Assert.Throws<MlsGroupException>(() => carol.Group.ProcessCommit(Wire(add.Commit))).Error);
        Assert.Equal(carolBefore, carol.Snapshot());

        // Having refused the commit, Carol stays in her epoch and reads nothing of the next one.
        var message = Wire(alice.Group.Encrypt("epoch 4"u8.ToArray()));
        Assert.Equal(MlsGroupError.WrongEpoch, Assert.Throws<MlsGroupException>(() => carol.Group.Decrypt(message)).Error);
        Assert.Equal(carolBefore, carol.Snapshot());
    }

    [Fact]
    public async Task A_commit_covers_proposals_by_reference_once_they_are_received()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await alice.FoundAsync("room"u8.ToArray());
        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Join(add.Welcome!, null);

        // Bob proposes adding Carol; Alice commits it by reference; Bob follows his own proposal's commit.
        var proposal = Wire(bob.Group.Propose(new Proposal(new AddProposal(carol.Bundle.KeyPackage))));
        Assert.Throws<NotSupportedException>(() => bob.Group.Propose(new Proposal(new UpdateProposal(bob.Bundle.KeyPackage.LeafNode))));
        alice.Group.ProcessProposal(proposal);
        add = await alice.Group.CommitAsync([]);
        Assert.Equal(ProposalOrRefType.Reference, Assert.Single(Wire(add.Commit).PublicMessage!.Content.Commit!.Proposals).Type);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(add.Commit));
        carol.Join(add.Welcome!, null);
        AssertSameEpoch(2, alice, bob, carol);

        // Bob proposes removing Carol, and Carol misses the proposal: she cannot process the commit until she has it.
        proposal = Wire(bob.Group.Propose(new Proposal(new RemoveProposal(carol.Group.OwnLeaf))));
        alice.Group.ProcessProposal(proposal);
        var remove = await alice.Group.CommitAsync([]);
        alice.Group.MergePendingCommit();
        var carolBefore = carol.Snapshot();
        Assert.Equal(MlsGroupError.UnknownProposal, Assert.Throws<MlsGroupException>(() => carol.Group.ProcessCommit(Wire(remove.Commit))).Error);
        Assert.Equal(carolBefore, carol.Snapshot());
        carol.Group.ProcessProposal(proposal);
        carol.Group.ProcessCommit(Wire(remove.Commit));
        Assert.False(carol.Group.IsActive);
        bob.Group.ProcessCommit(Wire(remove.Commit));
        AssertSameEpoch(3, alice, bob);
    }

    [Fact]
    public async Task The_authentication_service_and_the_membership_policy_are_asked()
    {
        using var alice = await MlsTestMember.CreateAsync("alice", new BasicCredentialAuthentication("mallory"), new RefuseRemovesBy(new LeafIndex(7)));
        using var mallory = await MlsTestMember.CreateAsync("mallory");
        await alice.FoundAsync("room"u8.ToArray());
        var before = alice.Snapshot();
        var refused = await Assert.ThrowsAsync<MlsGroupException>(() => alice.Group.CommitAsync([new Proposal(new AddProposal(mallory.Bundle.KeyPackage))]));
        Assert.Equal(MlsGroupError.Unauthenticated, refused.Error);
        Assert.Null(alice.Group.Pending);
        Assert.Equal(before, alice.Snapshot());

        // And a joiner refuses a group with a member its Authentication Service does not accept.
        using var bob = await MlsTestMember.CreateAsync("bob", new BasicCredentialAuthentication("alice"));
        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        Assert.Equal(MlsGroupError.Unauthenticated, Assert.Throws<MlsGroupException>(() => bob.Join(add.Welcome!, null)).Error);
    }

    [Fact]
    public async Task Required_capabilities_bind_every_member()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await alice.FoundAsync("room"u8.ToArray());
        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Join(add.Welcome!, null);
        var before = alice.Snapshot();

        // An extension type no member lists: the GroupContextExtensions proposal is refused, nothing changes.
        var unsupported = RequiredCapabilities(extensionTypes: [0xff00], credentialTypes: []);
        var refused = await Assert.ThrowsAsync<MlsGroupException>(() => alice.Group.CommitAsync([new Proposal(new GroupContextExtensionsProposal([unsupported]))]));
        Assert.Equal(MlsGroupError.InvalidProposals, refused.Error);
        Assert.Equal(before, alice.Snapshot());

        // Requiring the basic credential, which both list: committed with a path, and Bob follows.
        var basic = RequiredCapabilities(extensionTypes: [], credentialTypes: [(ushort)CredentialType.Basic]);
        var commit = await alice.Group.CommitAsync([new Proposal(new GroupContextExtensionsProposal([basic]))]);
        Assert.NotNull(Wire(commit.Commit).PublicMessage!.Content.Commit!.Path);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(commit.Commit));
        AssertSameEpoch(2, alice, bob);
        Assert.Equal(ExtensionType.RequiredCapabilities, Assert.Single(bob.Group.Context.Extensions).ExtensionType);
    }

    private static Extension RequiredCapabilities(ushort[] extensionTypes, ushort[] credentialTypes)
    {
        var writer = new MlsWriter();
        writer.WriteVector(extensionTypes, static (w, v) => w.WriteUInt16(v));
        writer.WriteVector(Array.Empty<ushort>(), static (w, v) => w.WriteUInt16(v));
        writer.WriteVector(credentialTypes, static (w, v) => w.WriteUInt16(v));
        return new Extension(ExtensionType.RequiredCapabilities, writer.ToArray());
    }

    [Fact]
    public async Task Commits_inject_external_and_resumption_psks()
    {
        var shared = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        using var alice = await MlsTestMember.CreateAsync("alice", externalPsk: shared);
        using var bob = await MlsTestMember.CreateAsync("bob", externalPsk: shared);
        using var carol = await MlsTestMember.CreateAsync("carol");
        await alice.FoundAsync("room"u8.ToArray());
        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Join(add.Welcome!, null);
        add = await alice.Group.CommitAsync([new Proposal(new AddProposal(carol.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(add.Commit));
        carol.Join(add.Welcome!, null);

        // The external PSK and the resumption PSK of epoch 1: Bob holds both, Carol (who joined in epoch 2) neither.
        var external = new Proposal(new PreSharedKeyProposal(PreSharedKeyId.External("shared"u8, Nonce())));
        var resumption = new Proposal(new PreSharedKeyProposal(PreSharedKeyId.Resumption(ResumptionPskUsage.Application, "room"u8, 1, Nonce())));
        var commit = await alice.Group.CommitAsync([external, resumption]);
        Assert.Null(Wire(commit.Commit).PublicMessage!.Content.Commit!.Path);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(commit.Commit));
        AssertSameEpoch(3, alice, bob);

        var carolBefore = carol.Snapshot();
        Assert.Equal(MlsGroupError.UnknownPsk, Assert.Throws<MlsGroupException>(() => carol.Group.ProcessCommit(Wire(commit.Commit))).Error);
        Assert.Equal(carolBefore, carol.Snapshot());

        // A PSK nobody holds cannot be committed.
        var unknown = new Proposal(new PreSharedKeyProposal(PreSharedKeyId.External("nobody's"u8, Nonce())));
        Assert.Equal(MlsGroupError.UnknownPsk, (await Assert.ThrowsAsync<MlsGroupException>(() => alice.Group.CommitAsync([unknown]))).Error);
        Assert.Null(alice.Group.Pending);

        static byte[] Nonce() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    }

    internal static void AssertSameEpoch(ulong epoch, params MlsTestMember[] members)
    {
        var authenticators = members.Select(m => Convert.ToHexString(m.Vault.ExportSecret(m.Group.EpochAuthenticator))).Distinct();
        Assert.Single(authenticators);
        Assert.All(members, m => Assert.Equal(epoch, m.Group.Epoch));
        var exported = members.Select(m =>
        {
            var key = m.Group.Export("test"u8, "context"u8, 32);
            var bytes = Convert.ToHexString(m.Vault.ExportSecret(key));
            m.Vault.DeleteEphemeralKey(key);
            return bytes;
        });
        Assert.Single(exported.Distinct());
        Assert.Single(members.Select(m => Convert.ToHexString(m.Group.Context.TreeHash)).Distinct());
    }

    [Fact]
    public async Task The_member_removed_from_a_group_of_two_learns_it_is_out()
    {
        // The committer's path leaf then enters a tree with no other member: nothing constrains its credential type.
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await alice.FoundAsync("room"u8.ToArray());
        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Join(add.Welcome!, null);

        var remove = await alice.Group.CommitAsync([new Proposal(new RemoveProposal(bob.Group.OwnLeaf))]);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(MlsMessage.Decode(remove.Commit.Encode()));
        Assert.False(bob.Group.IsActive);
        Assert.Single(alice.Group.Members);
    }

    private sealed class RefuseRemovesBy(LeafIndex committer) : IMembershipPolicy
    {
        public bool MayAdd(MembershipChange change, KeyPackage keyPackage) => true;

        public bool MayRemove(MembershipChange change, LeafIndex removed, LeafNode removedLeaf) => change.Committer != committer;

        public bool MayChangeExtensions(MembershipChange change, IReadOnlyList<Extension> proposed) => true;
    }
}
