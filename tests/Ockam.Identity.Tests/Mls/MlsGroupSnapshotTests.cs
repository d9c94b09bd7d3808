using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using static Ockam.Identity.Tests.Mls.MlsScenes;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// A member's group saved and restored in a new process (a new vault holding only its signature and wrapping keys):
/// it goes on reading and being read, follows later commits, neither reads a message twice nor sends a generation
/// twice, and a snapshot that was altered, spliced or wrapped under another key is refused with nothing left behind.
/// </summary>
public sealed class MlsGroupSnapshotTests
{
    [Fact]
    public async Task A_restored_member_reads_the_others_and_is_read()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await GroupOfAsync(alice, bob, carol);
        AssertDelivered("before", alice, bob, carol);
        AssertDelivered("before, from bob", bob, alice, carol);

        await bob.RestartAsync();
        MlsGroupTests.AssertSameEpoch(2, alice, bob, carol);
        Assert.Equal(3, bob.Group.Members.Count());

        AssertDelivered("after", alice, bob, carol);
        AssertDelivered("after, from bob", bob, alice, carol);
        AssertDelivered("from carol", carol, alice, bob);

        // Restarted twice in a row, it is the same member still.
        await bob.RestartAsync();
        AssertDelivered("again", bob, alice, carol);
        AssertDelivered("and back", carol, bob);
    }

    [Fact]
    public async Task A_restored_member_follows_later_commits_with_paths_and_removes()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await GroupOfAsync(alice, bob, carol);
        await bob.RestartAsync();
        await carol.RestartAsync();

        // Alice updates her keys (a commit with an UpdatePath): the restored members decrypt it with restored node keys.
        var update = await alice.Group.CommitAsync([]);
        Assert.NotNull(Wire(update.Commit).PublicMessage!.Content.Commit!.Path);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(update.Commit));
        carol.Group.ProcessCommit(Wire(update.Commit));
        MlsGroupTests.AssertSameEpoch(3, alice, bob, carol);

        // Bob, restored, commits his own update; then Carol, restored again, removes Alice.
        await bob.RestartAsync();
        var bobsUpdate = await bob.Group.CommitAsync([]);
        bob.Group.MergePendingCommit();
        alice.Group.ProcessCommit(Wire(bobsUpdate.Commit));
        carol.Group.ProcessCommit(Wire(bobsUpdate.Commit));
        MlsGroupTests.AssertSameEpoch(4, alice, bob, carol);

        await carol.RestartAsync();
        await alice.RestartAsync();
        var remove = await carol.Group.CommitAsync([new Proposal(new RemoveProposal(alice.Group.OwnLeaf))]);
        carol.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(remove.Commit));
        alice.Group.ProcessCommit(Wire(remove.Commit));
        Assert.False(alice.Group.IsActive);
        MlsGroupTests.AssertSameEpoch(5, bob, carol);
        AssertDelivered("without alice", bob, carol);

        // A removed member's state restores as removed.
        var wrappingKey = await alice.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var saved = alice.Group.Save(wrappingKey);
        Assert.Equal(MlsGroupError.Removed, Assert.Throws<MlsGroupException>(() => alice.Restore(wrappingKey, saved)).Error);
    }

    [Fact]
    public async Task A_snapshot_of_one_epoch_follows_the_commit_to_the_next()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await GroupOfAsync(alice, bob, carol);
        var wrappingKey = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var atEpoch2 = bob.Group.Save(wrappingKey);

        // Bob's process ends before the commit arrives; the next one restores epoch 2 and processes it.
        var update = await carol.Group.CommitAsync([]);
        carol.Group.MergePendingCommit();
        alice.Group.ProcessCommit(Wire(update.Commit));
        await bob.RestartFromAsync(atEpoch2, wrappingKey);
        Assert.Equal(2ul, bob.Group.Epoch);
        bob.Group.ProcessCommit(Wire(update.Commit));
        MlsGroupTests.AssertSameEpoch(3, alice, bob, carol);
        AssertDelivered("in epoch 3", bob, alice, carol);
    }

    [Fact]
    public async Task Proposals_and_resumption_psks_of_the_epoch_survive_a_restart()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await GroupOfAsync(alice, bob, carol);

        // Alice proposes to remove Carol; Bob receives the proposal, restarts, and then gets the commit naming it by
        // reference, which also injects the resumption PSK of epoch 1.
        var proposal = alice.Group.Propose(new Proposal(new RemoveProposal(carol.Group.OwnLeaf)));
        bob.Group.ProcessProposal(Wire(proposal));
        await bob.RestartAsync();
        var resumption = new Proposal(new PreSharedKeyProposal(PreSharedKeyId.Resumption(ResumptionPskUsage.Application, "room"u8, 1, new byte[32])));
        var commit = await alice.Group.CommitAsync([resumption]);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(commit.Commit));
        MlsGroupTests.AssertSameEpoch(3, alice, bob);
        Assert.Equal(2, bob.Group.Members.Count());
    }

    [Fact]
    public async Task A_message_read_before_saving_is_a_replay_after_restoring()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await GroupOfAsync(alice, bob);
        var first = Wire(alice.Group.Encrypt("first"u8.ToArray()));
        var second = Wire(alice.Group.Encrypt("second"u8.ToArray()));
        var third = Wire(alice.Group.Encrypt("third"u8.ToArray()));
        Assert.Equal("second"u8.ToArray(), bob.Group.Decrypt(second).ApplicationData);

        await bob.RestartAsync();

        // The generation read is consumed for good; the one skipped over is still readable, once.
        var replay = Assert.Throws<MlsCryptoException>(() => bob.Group.Decrypt(second));
        Assert.Contains("consumed already", replay.Message, StringComparison.Ordinal);
        Assert.Equal("first"u8.ToArray(), bob.Group.Decrypt(first).ApplicationData);
        Assert.Equal("third"u8.ToArray(), bob.Group.Decrypt(third).ApplicationData);
        await bob.RestartAsync();
        Assert.Contains("consumed already", Assert.Throws<MlsCryptoException>(() => bob.Group.Decrypt(first)).Message, StringComparison.Ordinal);
        Assert.Contains("consumed already", Assert.Throws<MlsCryptoException>(() => bob.Group.Decrypt(third)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restored_sender_never_sends_a_generation_again()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await GroupOfAsync(alice, bob);
        var before = Enumerable.Range(0, 3).Select(i => Wire(bob.Group.Encrypt(new[] { (byte)i }))).ToList();

        await bob.RestartAsync();
        var after = Enumerable.Range(3, 3).Select(i => Wire(bob.Group.Encrypt(new[] { (byte)i }))).ToList();

        // Alice reads every one: had a generation been sent twice, its second message would be refused as a replay.
        foreach (var (message, i) in before.Concat(after).Select((m, i) => (m, i)))
        {
            Assert.Equal([(byte)i], alice.Group.Decrypt(message).ApplicationData);
        }

    }

    [Fact]
    public async Task A_snapshot_with_a_pending_commit_is_not_saved()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await GroupOfAsync(alice, bob);
        var wrappingKey = await alice.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        await alice.Group.CommitAsync([]);
        Assert.Throws<InvalidOperationException>(() => alice.Group.Save(wrappingKey));
        alice.Group.DiscardPendingCommit();
        Assert.NotEmpty(alice.Group.Save(wrappingKey));
    }

    [Fact]
    public async Task A_tampered_truncated_or_extended_snapshot_is_refused_and_leaves_nothing_behind()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await GroupOfAsync(alice, bob, carol);
        AssertDelivered("some state in the secret tree", carol, bob);
        alice.Group.Encrypt("a kept key of a skipped generation"u8.ToArray());
        bob.Group.Decrypt(Wire(alice.Group.Encrypt("read"u8.ToArray())));
        var wrappingKey = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var saved = bob.Group.Save(wrappingKey);
        var keys = bob.Vault.Count;

        // Every byte of a small snapshot, every 7th of the rest: the header, the public part and the wrapped secrets.
        for (var i = 0; i < saved.Length; i += i < 512 ? 1 : 7)
        {
            var tampered = (byte[])saved.Clone();
            tampered[i] ^= 0x20;
            AssertRefused(bob, wrappingKey, tampered, $"byte {i}");
        }

        for (var length = 0; length < saved.Length; length += length < 64 ? 1 : 97)
        {
            AssertRefused(bob, wrappingKey, saved[..length], $"truncated to {length}");
        }

        AssertRefused(bob, wrappingKey, [.. saved, 0], "extended");
        AssertRefused(bob, wrappingKey, [], "empty");
        Assert.Equal(keys, bob.Vault.Count);

        // The untouched snapshot restores.
        using var restored = bob.Restore(wrappingKey, saved);
        Assert.Equal(bob.Group.Epoch, restored.Epoch);
    }

    [Fact]
    public async Task A_snapshot_under_another_wrapping_key_is_refused()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await GroupOfAsync(alice, bob);
        var wrappingKey = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var other = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var saved = bob.Group.Save(wrappingKey);
        var keys = bob.Vault.Count;
        AssertRefused(bob, other, saved, "another wrapping key");
        Assert.Equal(keys, bob.Vault.Count);
    }

    [Fact]
    public async Task Another_members_snapshot_is_refused()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await GroupOfAsync(alice, bob);
        var wrappingKey = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var saved = bob.Group.Save(wrappingKey);

        // Alice's signature key is not the own leaf's of Bob's state: refused before any secret is unwrapped.
        var refused = Assert.Throws<MlsGroupException>(() => alice.Restore(wrappingKey, saved));
        Assert.Equal(MlsGroupError.InvalidState, refused.Error);
        Assert.Contains("signature key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_of_one_snapshot_do_not_open_in_another()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await GroupOfAsync(alice, bob);
        var wrappingKey = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var first = bob.Group.Save(wrappingKey);
        var second = bob.Group.Save(wrappingKey);
        Assert.Equal(first.Length, second.Length);

        // Two saves of the same state: the wrapped secrets of the first under the header and public part of the second
        // (its snapshot id). Were they accepted, a member's ratchets could be mixed from saves of different times.
        var idOffset = 2 + 1 + 1 + "room"u8.Length + 8;
        var spliced = (byte[])first.Clone();
        second.AsSpan(idOffset, 16).CopyTo(spliced.AsSpan(idOffset));
        AssertRefused(bob, wrappingKey, spliced, "the secrets of another save");
        using var restored = bob.Restore(wrappingKey, first);
    }

    private static void AssertRefused(MlsTestMember member, KeyHandle wrappingKey, byte[] saved, string what)
    {
        var refused = Assert.Throws<MlsGroupException>(() => member.Restore(wrappingKey, saved));
        Assert.True(refused.Error == MlsGroupError.InvalidState, $"{what}: {refused.Error} {refused.Message}");
    }
}
