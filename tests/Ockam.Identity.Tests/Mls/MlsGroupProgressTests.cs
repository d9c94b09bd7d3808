using System.Security.Cryptography;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using static Ockam.Identity.Tests.Mls.MlsScenes;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// A member saved as an epoch state (once per epoch) and progress records over it (per message read or sent): restored
/// from the latest record, it neither reads a message twice nor sends a generation twice; the epoch state alone holds
/// no key of the secret tree; a record restores only over the epoch state it names, and one altered, truncated or
/// spliced from two is refused with nothing left behind; a record's size follows the secrets held, not the group's size.
/// </summary>
public sealed class MlsGroupProgressTests
{
    [Fact]
    public async Task A_member_restored_from_its_latest_progress_reads_on_and_never_twice()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await GroupOfAsync(alice, bob);
        var wrappingKey = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var epochState = bob.Group.SaveEpoch(wrappingKey);
        var hash = SHA256.HashData(epochState);
        var early = bob.Group.SaveProgress(wrappingKey, hash)!;

        var first = Wire(alice.Group.Encrypt("first"u8.ToArray()));
        var second = Wire(alice.Group.Encrypt("second"u8.ToArray()));
        var third = Wire(alice.Group.Encrypt("third"u8.ToArray()));
        Assert.Equal("second"u8.ToArray(), bob.Group.Decrypt(second).ApplicationData);
        var sent = Enumerable.Range(0, 3).Select(i => Wire(bob.Group.Encrypt(new[] { (byte)i }))).ToList();
        var progress = bob.Group.SaveProgress(wrappingKey, hash)!;
        Assert.NotEqual(early, progress);

        wrappingKey = await bob.RestartFromAsync(epochState, progress, wrappingKey);

        // The generation read is consumed for good; the one skipped over is still readable, once.
        Assert.Contains("consumed already", Assert.Throws<MlsCryptoException>(() => bob.Group.Decrypt(second)).Message, StringComparison.Ordinal);
        Assert.Equal("first"u8.ToArray(), bob.Group.Decrypt(first).ApplicationData);

        // The restored group makes progress over the same epoch state, without saving it again.
        var later = bob.Group.SaveProgress(wrappingKey, hash)!;
        await bob.RestartFromAsync(epochState, later, wrappingKey);
        Assert.Contains("consumed already", Assert.Throws<MlsCryptoException>(() => bob.Group.Decrypt(first)).Message, StringComparison.Ordinal);
        Assert.Equal("third"u8.ToArray(), bob.Group.Decrypt(third).ApplicationData);

        // Alice reads every one of Bob's: had a generation been sent twice, its second message would be a replay.
        sent.AddRange(Enumerable.Range(3, 3).Select(i => Wire(bob.Group.Encrypt(new[] { (byte)i }))));
        foreach (var (message, i) in sent.Select((m, i) => (m, i)))
        {
            Assert.Equal([(byte)i], alice.Group.Decrypt(message).ApplicationData);
        }
    }

    [Fact]
    public async Task The_epoch_state_alone_holds_no_key_of_the_secret_tree()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await GroupOfAsync(alice, bob);
        var wrappingKey = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var epochState = bob.Group.SaveEpoch(wrappingKey);
        var keys = bob.Vault.Count;

        // Written once per epoch and kept all of it: had it the secret tree, every key of the epoch (those consumed
        // since included) could be derived again from it.
        AssertRefused(() => bob.Restore(wrappingKey, epochState), "the epoch state alone");
        AssertRefused(() => bob.Restore(wrappingKey, epochState, []), "the epoch state with no progress");
        Assert.Equal(keys, bob.Vault.Count);
    }

    [Fact]
    public async Task A_progress_record_restores_only_over_the_epoch_state_it_names()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await GroupOfAsync(alice, bob, carol);
        var wrappingKey = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var epochState = bob.Group.SaveEpoch(wrappingKey);
        var progress = bob.Group.SaveProgress(wrappingKey, SHA256.HashData(epochState))!;

        // A second save of the same epoch (another snapshot id): the earlier record is not made over it.
        var again = bob.Group.SaveEpoch(wrappingKey);
        Assert.Null(bob.Group.SaveProgress(wrappingKey, SHA256.HashData(epochState)));
        var keys = bob.Vault.Count;
        AssertRefused(() => bob.Restore(wrappingKey, again, progress), "a record over another save of the epoch");
        Assert.Equal(keys, bob.Vault.Count);

        // A new epoch: progress over the old epoch state is refused to the saver (it must save the epoch first).
        var update = await carol.Group.CommitAsync([]);
        carol.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(update.Commit));
        Assert.Null(bob.Group.SaveProgress(wrappingKey, SHA256.HashData(again)));
        var next = bob.Group.SaveEpoch(wrappingKey);
        var nextProgress = bob.Group.SaveProgress(wrappingKey, SHA256.HashData(next))!;
        keys = bob.Vault.Count;
        AssertRefused(() => bob.Restore(wrappingKey, epochState, nextProgress), "a record of the next epoch over this one's state");
        AssertRefused(() => bob.Restore(wrappingKey, next, progress), "a record of the last epoch over the next one's state");
        Assert.Equal(keys, bob.Vault.Count);

        using var restored = bob.Restore(wrappingKey, next, nextProgress);
        Assert.Equal(3ul, restored.Epoch);
    }

    [Fact]
    public async Task A_tampered_truncated_extended_or_spliced_progress_record_is_refused_and_leaves_nothing_behind()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        using var carol = await MlsTestMember.CreateAsync("carol");
        await GroupOfAsync(alice, bob, carol);
        var wrappingKey = await bob.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var epochState = bob.Group.SaveEpoch(wrappingKey);
        var hash = SHA256.HashData(epochState);
        AssertDelivered("some state in the secret tree", carol, bob);
        alice.Group.Encrypt("a kept key of a skipped generation"u8.ToArray());
        bob.Group.Decrypt(Wire(alice.Group.Encrypt("read"u8.ToArray())));
        var progress = bob.Group.SaveProgress(wrappingKey, hash)!;
        var keys = bob.Vault.Count;

        for (var i = 0; i < progress.Length; i++)
        {
            var tampered = (byte[])progress.Clone();
            tampered[i] ^= 0x20;
            AssertRefused(() => bob.Restore(wrappingKey, epochState, tampered), $"byte {i}");
        }

        for (var length = 1; length < progress.Length; length += length < 64 ? 1 : 13)
        {
            AssertRefused(() => bob.Restore(wrappingKey, epochState, progress.AsSpan(0, length)), $"truncated to {length}");
        }

        AssertRefused(() => bob.Restore(wrappingKey, epochState, [.. progress, 0]), "extended");

        // Two records of the same state: the secrets of the first under the progress id of the second. Were they
        // accepted, a member's ratchets could be mixed from records of different times.
        var second = bob.Group.SaveProgress(wrappingKey, hash)!;
        var idOffset = 2 + 1 + "room"u8.Length + 8 + 1 + hash.Length;
        var spliced = (byte[])progress.Clone();
        second.AsSpan(idOffset, 16).CopyTo(spliced.AsSpan(idOffset));
        AssertRefused(() => bob.Restore(wrappingKey, epochState, spliced), "the secrets of another record");
        Assert.Equal(keys, bob.Vault.Count);

        using var restored = bob.Restore(wrappingKey, epochState, progress);
        Assert.Equal(bob.Group.Epoch, restored.Epoch);
    }

    [Fact]
    public async Task A_progress_record_does_not_grow_with_the_group()
    {
        using var alice = await MlsTestMember.CreateAsync("alice");
        using var bob = await MlsTestMember.CreateAsync("bob");
        await GroupOfAsync(alice, bob);
        var small = await ProgressAfterOneMessageAsync(alice, bob);

        using var founder = await MlsTestMember.CreateAsync("founder");
        List<MlsTestMember> many = [];
        try
        {
            for (var i = 0; i < 63; i++)
            {
                many.Add(await MlsTestMember.CreateAsync($"m{i}"));
            }

            await founder.FoundAsync("room"u8.ToArray());
            var add = await founder.Group.CommitAsync([.. many.Select(m => new Proposal(new AddProposal(m.Bundle.KeyPackage)))]);
            founder.Group.MergePendingCommit();
            many[0].Join(Wire(MlsMessage.Of(add.Welcome!)).Welcome!, founder.Group.ExportRatchetTree());
            var large = await ProgressAfterOneMessageAsync(founder, many[0]);

            // 32 times the members: the epoch state grows with them (a leaf each), a record by a path's worth of secrets.
            Assert.True(large.EpochState > 10 * small.EpochState, $"epoch state {small.EpochState} → {large.EpochState} bytes");
            Assert.True(large.Progress < small.Progress + 512, $"progress {small.Progress} → {large.Progress} bytes");
        }
        finally
        {
            foreach (var member in many)
            {
                member.Dispose();
            }
        }
    }

    private static async Task<(int EpochState, int Progress)> ProgressAfterOneMessageAsync(MlsTestMember sender, MlsTestMember reader)
    {
        var wrappingKey = await reader.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var epochState = reader.Group.SaveEpoch(wrappingKey);
        reader.Group.Decrypt(Wire(sender.Group.Encrypt("a reading"u8.ToArray())));
        return (epochState.Length, reader.Group.SaveProgress(wrappingKey, SHA256.HashData(epochState))!.Length);
    }

    private static void AssertRefused(Func<MlsGroup> restore, string what)
    {
        var refused = Assert.Throws<MlsGroupException>(() => restore().Dispose());
        Assert.True(refused.Error == MlsGroupError.InvalidState, $"{what}: {refused.Error} {refused.Message}");
    }
}
