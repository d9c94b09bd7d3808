using Ockam.Identity.Mls;
using static Ockam.Identity.Tests.Mls.MlsScenes;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The Delivery Service's public view of a group: created from the creator's GroupInfo of epoch 0 and its tree, it
/// follows the members' commits to the same GroupContext (tree hash, transcript) they reach, and refuses what it
/// cannot or must not take — a PrivateMessage commit, proposals by reference, another epoch — unchanged.
/// </summary>
public sealed class PublicGroupStateTests
{
    [Fact]
    public async Task It_follows_adds_updates_and_removes_to_the_members_group_context()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await alice.FoundAsync("room"u8.ToArray());
        var services = new MlsGroupServices(alice.Vault, new BasicCredentialAuthentication());
        var ds = PublicGroupState.Create(services, alice.Group.GroupInfo(withRatchetTree: false), alice.Group.ExportRatchetTree());
        Assert.Equal(alice.Group.Context.Encode(), ds.Context.Encode());

        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage)), new Proposal(new AddProposal(carol.Bundle.KeyPackage))]);
        var applied = ds.Apply(services, Wire(add.Commit));
        alice.Group.MergePendingCommit();
        Assert.Equal([1u, 2u], applied.Added.Select(a => a.Leaf.Value));
        Assert.Equal(bob.Bundle.KeyPackage.ComputeRef(CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519), applied.Added[0].KeyPackageRef.ToArray());
        Assert.Equal(alice.Group.Context.Encode(), ds.Context.Encode());
        bob.Join(add.Welcome!, null);
        carol.Join(add.Welcome!, null);

        var update = await bob.Group.CommitAsync([]);
        ds.Apply(services, Wire(update.Commit));
        bob.Group.MergePendingCommit();
        carol.Group.ProcessCommit(Wire(update.Commit));
        Assert.Equal(bob.Group.Context.Encode(), ds.Context.Encode());

        var remove = await carol.Group.CommitAsync([new Proposal(new RemoveProposal(new LeafIndex(0)))]);
        var removed = ds.Apply(services, Wire(remove.Commit));
        carol.Group.MergePendingCommit();
        Assert.Equal([0u], removed.Removed.Select(r => r.Leaf.Value));
        Assert.Equal(carol.Group.Context.Encode(), ds.Context.Encode());

        // Restored from what it stores, it goes on.
        var restored = PublicGroupState.Restore(ds.Context, ds.Tree.ToRatchetTree(), ds.InterimTranscriptHash);
        var next = await carol.Group.CommitAsync([]);
        restored.Apply(services, Wire(next.Commit));
        carol.Group.MergePendingCommit();
        Assert.Equal(carol.Group.Context.Encode(), restored.Context.Encode());
    }

    [Fact]
    public async Task A_private_commit_a_proposal_by_reference_and_another_epoch_are_refused_unchanged()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await alice.FoundAsync("room"u8.ToArray());
        var services = new MlsGroupServices(alice.Vault, new BasicCredentialAuthentication());
        var ds = PublicGroupState.Create(services, alice.Group.GroupInfo(withRatchetTree: false), alice.Group.ExportRatchetTree());
        var before = ds.Context.Encode();

        Assert.Equal(MlsGroupError.WrongContent, Assert.Throws<MlsGroupException>(() => ds.Apply(services, Wire(alice.Group.Encrypt("not a commit"u8.ToArray())))).Error);

        alice.Group.Propose(new Proposal(new AddProposal(bob.Bundle.KeyPackage)));
        var byReference = await alice.Group.CommitAsync([]);
        Assert.Equal(MlsGroupError.UnknownProposal, Assert.Throws<MlsGroupException>(() => ds.Apply(services, Wire(byReference.Commit))).Error);
        Assert.Equal(before, ds.Context.Encode());

        // A GroupInfo of a later epoch does not create a group.
        alice.Group.MergePendingCommit();
        Assert.Equal(
            MlsGroupError.WrongEpoch,
            Assert.Throws<MlsGroupException>(() => PublicGroupState.Create(services, alice.Group.GroupInfo(false), alice.Group.ExportRatchetTree())).Error);
        var later = await alice.Group.CommitAsync([]);
        Assert.Equal(MlsGroupError.WrongEpoch, Assert.Throws<MlsGroupException>(() => ds.Apply(services, Wire(later.Commit))).Error);
        Assert.Equal(before, ds.Context.Encode());
    }
}
