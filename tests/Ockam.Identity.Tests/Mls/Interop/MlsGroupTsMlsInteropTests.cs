using Ockam.Identity.Mls;

namespace Ockam.Identity.Tests.Mls.Interop;

/// <summary>
/// Our <see cref="MlsGroup"/> and live ts-mls 1.6.4 members in one group: we join ts-mls's group from its Welcome
/// and out-of-band tree and follow its commits, sent encrypted (PrivateMessage) as ts-mls does; ts-mls follows
/// ours (PublicMessage) and joins from our Welcome; messages go both ways; after every epoch both sides have the
/// same epoch authenticator, tree hash and exporter output; ts-mls removes us and we stop.
/// </summary>
public sealed class MlsGroupTsMlsInteropTests
{
    private static CancellationTokenSource TestTimeout() => new(TimeSpan.FromMinutes(3));

    [Fact]
    public async Task Our_member_and_ts_mls_members_follow_each_others_commits()
    {
        using var cts = TestTimeout();
        var ct = cts.Token;
        await using var peer = await TsMlsPeer.StartAsync(ct);
        using var us = await MlsTestMember.CreateAsync("ockam");
        await peer.NewClientAsync("ts1", "ts1"u8.ToArray(), ct);
        await peer.CreateGroupAsync("ts1", "interop room"u8.ToArray(), ct);

        // ts-mls adds us; we join with the tree it hands out of band.
        var add = await peer.AddAsync("ts1", MlsMessage.Of(us.Bundle.KeyPackage).Encode(), ct);
        us.Join(MlsMessage.Decode(add.Welcome).Welcome!, RatchetTree.Decode(add.RatchetTree));
        await AssertSameEpochAsync(peer, us, 1, ct, "ts1");

        // Each side refuses the other's message with one bit flipped in its ciphertext, and then reads the genuine one.
        var fromTs = await peer.SendAsync("ts1", "hello ockam"u8.ToArray(), ct);
        Assert.Throws<MlsCryptoException>(() => us.Group.Decrypt(MlsMessage.Decode(Flipped(fromTs))));
        Assert.Equal("hello ockam"u8.ToArray(), us.Group.Decrypt(MlsMessage.Decode(fromTs)).ApplicationData);
        var toTs = us.Group.Encrypt("hello ts-mls"u8.ToArray()).Encode();
        await Assert.ThrowsAsync<TsMlsRefusedException>(() => peer.ProcessAsync("ts1", Flipped(toTs), ct));
        var read = await peer.ProcessAsync("ts1", toTs, ct);
        Assert.Equal("hello ts-mls"u8.ToArray(), read.Plaintext);

        // ts-mls adds a second member (its commit a PrivateMessage without path), then updates (with path).
        var ts2KeyPackage = await peer.NewClientAsync("ts2", "ts2"u8.ToArray(), ct, TsMlsGrease.None);
        add = await peer.AddAsync("ts1", ts2KeyPackage, ct);
        us.Group.ProcessCommit(MlsMessage.Decode(add.Commit));
        await peer.JoinAsync("ts2", add.Welcome, add.RatchetTree, ct);
        await AssertSameEpochAsync(peer, us, 2, ct, "ts1", "ts2");

        // A flipped bit in ts-mls's encrypted commit is refused and changes nothing; the genuine one then applies.
        // ts2 speaks first: the secret tree derives a sender's ratchets on its first message of the epoch, refused or
        // not, and the snapshot counts vault keys.
        var fromTs2 = await peer.SendAsync("ts2", "ts2 here"u8.ToArray(), ct);
        Assert.Equal("ts2 here"u8.ToArray(), us.Group.Decrypt(MlsMessage.Decode(fromTs2)).ApplicationData);
        var update = await peer.UpdateAsync("ts2", ct);
        await peer.ProcessAsync("ts1", update.Commit, ct);
        var before = us.Snapshot();
        Assert.Throws<MlsCryptoException>(() => us.Group.ProcessCommit(MlsMessage.Decode(Flipped(update.Commit))));
        Assert.Equal(before, us.Snapshot());
        us.Group.ProcessCommit(MlsMessage.Decode(update.Commit));
        await AssertSameEpochAsync(peer, us, 3, ct, "ts1", "ts2");

        // We update (an empty commit with a path) and ts-mls follows.
        var ours = await us.Group.CommitAsync([]);
        us.Group.MergePendingCommit();
        await peer.ProcessAsync("ts1", ours.Commit.Encode(), ct);
        await peer.ProcessAsync("ts2", ours.Commit.Encode(), ct);
        await AssertSameEpochAsync(peer, us, 4, ct, "ts1", "ts2");

        // We add a third ts-mls member; it joins from our Welcome, the tree in its GroupInfo.
        var ts3KeyPackage = await peer.NewClientAsync("ts3", "ts3"u8.ToArray(), ct, TsMlsGrease.None);
        ours = await us.Group.CommitAsync([new Proposal(new AddProposal(MlsMessage.Decode(ts3KeyPackage).KeyPackage!))]);
        us.Group.MergePendingCommit();
        await peer.ProcessAsync("ts1", ours.Commit.Encode(), ct);
        await peer.ProcessAsync("ts2", ours.Commit.Encode(), ct);
        await peer.JoinAsync("ts3", MlsMessage.Of(ours.Welcome!).Encode(), [], ct);
        await AssertSameEpochAsync(peer, us, 5, ct, "ts1", "ts2", "ts3");

        // We remove ts2; then ts-mls removes us, and we stop.
        var ts2Leaf = (await peer.StateAsync("ts2", ct)).OwnLeafIndex;
        ours = await us.Group.CommitAsync([new Proposal(new RemoveProposal(new LeafIndex(ts2Leaf)))]);
        us.Group.MergePendingCommit();
        await peer.ProcessAsync("ts1", ours.Commit.Encode(), ct);
        await peer.ProcessAsync("ts3", ours.Commit.Encode(), ct);
        await AssertSameEpochAsync(peer, us, 6, ct, "ts1", "ts3");

        var remove = await peer.RemoveAsync("ts1", us.Group.OwnLeaf.Value, ct);
        us.Group.ProcessCommit(MlsMessage.Decode(remove.Commit));
        Assert.False(us.Group.IsActive);
        Assert.Equal(1, us.Vault.Count);
    }

    /// <summary>A copy with one bit flipped near the end: in the AEAD ciphertext or its tag.</summary>
    private static byte[] Flipped(byte[] message)
    {
        var tampered = (byte[])message.Clone();
        tampered[^5] ^= 0x01;
        return tampered;
    }

    private static async Task AssertSameEpochAsync(TsMlsPeer peer, MlsTestMember us, ulong epoch, CancellationToken ct, params string[] names)
    {
        Assert.Equal(epoch, us.Group.Epoch);
        var authenticator = us.Vault.ExportSecret(us.Group.EpochAuthenticator);
        var exportedKey = us.Group.Export("interop"u8, "context"u8, 32);
        var exported = us.Vault.ExportSecret(exportedKey);
        us.Vault.DeleteEphemeralKey(exportedKey);
        foreach (var name in names)
        {
            var state = await peer.StateAsync(name, ct);
            Assert.Equal(epoch, state.Epoch);
            Assert.Equal(authenticator, state.EpochAuthenticator);
            Assert.Equal(us.Group.Context.TreeHash.ToArray(), state.TreeHash);
            Assert.Equal(exported, await peer.ExportAsync(name, "interop", "context"u8.ToArray(), 32, ct));
        }
    }
}
