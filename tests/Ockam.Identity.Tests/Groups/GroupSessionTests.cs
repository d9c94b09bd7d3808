using System.Diagnostics;
using Ockam.Identity.Groups;
using Ockam.Identity.Identities;
using Ockam.Identity.Tests.Support;
using Ockam.Identity.Vault;
using Xunit.Abstractions;

namespace Ockam.Identity.Tests.Groups;

/// <summary>Encrypted group sessions: epochs sealed to members, per-sender ratchets, signed messages.</summary>
public sealed class GroupSessionTests(ITestOutputHelper output) : IDisposable
{
    private readonly Actors actors = new();

    [Fact]
    public async Task Three_members_exchange_messages_and_a_removed_member_cannot_read_what_follows()
    {
        var (alice, aliceKeys) = await MemberAsync();
        var (bob, bobKeys) = await MemberAsync();
        var (carol, carolKeys) = await MemberAsync();

        var (a, first) = GroupSession.Create(actors.Vault, "room-1", alice, aliceKeys.Agreement, aliceKeys.Signing);
        Assert.Equal(1UL, first.Body.Epoch);
        var invite = a.Commit([alice, bob]);
        using var b = GroupSession.Join(actors.Vault, invite, bob, bobKeys.Agreement, bobKeys.Signing);
        var three = a.Commit([alice, bob, carol]);
        b.Apply(three);
        var c = GroupSession.Join(actors.Vault, three, carol, carolKeys.Agreement, carolKeys.Signing);
        Assert.Equal(3UL, c.Epoch);

        // Each member's message reaches the other two.
        foreach (var (sender, receivers) in new[] { (a, new[] { b, c }), (b, new[] { a, c }), (c, new[] { a, b }) })
        {
            var message = GroupMessage.Decode(sender.Encrypt(System.Text.Encoding.UTF8.GetBytes($"from {sender.Members.Count}")).Encode());
            Assert.All(receivers, r => Assert.Equal($"from 3", System.Text.Encoding.UTF8.GetString(r.Decrypt(message))));
        }

        // Carol is removed: the new epoch's secret is sealed to Alice and Bob only.
        var removal = a.Commit([alice, bob]);
        b.Apply(removal);
        Assert.Equal(GroupError.Removed, Assert.Throws<GroupException>(() => c.Apply(removal)).Error);
        var after = a.Encrypt("after carol left"u8);
        Assert.Equal("after carol left"u8.ToArray(), b.Decrypt(after));
        Assert.Equal(GroupError.FutureEpoch, Assert.Throws<GroupException>(() => c.Decrypt(after)).Error);

        // Even joining "from" the removal commit with her own keys gets her nothing.
        Assert.Equal(GroupError.Removed, Assert.Throws<GroupException>(() => GroupSession.Join(actors.Vault, removal, carol, carolKeys.Agreement, carolKeys.Signing)).Error);
        c.Dispose();
        a.Dispose();
    }

    [Fact]
    public async Task A_leaked_epoch_secret_reads_its_own_epoch_and_nothing_after_an_update()
    {
        var (alice, aliceKeys) = await MemberAsync();
        var (bob, bobKeys) = await MemberAsync();
        var (mallory, malloryKeys) = await MemberAsync();
        var (a, _) = GroupSession.Create(actors.Vault, "room-2", alice, aliceKeys.Agreement, aliceKeys.Signing);
        using var b = GroupSession.Join(actors.Vault, a.Commit([alice, bob]), bob, bobKeys.Agreement, bobKeys.Signing);

        var leaked = b.ExportEpochSecret();
        using (var thief = GroupSession.FromStolenSecret(actors.Vault, "room-2", b.Epoch, b.Members, leaked, mallory, malloryKeys.Agreement, malloryKeys.Signing))
        {
            Assert.Equal("before"u8.ToArray(), thief.Decrypt(a.Encrypt("before"u8))); // the leak is real
        }

        // Bob asks for an update: a fresh secret, not derived from the leaked one.
        b.Apply(a.Commit([alice, bob]));
        var secret = a.Encrypt("after the update"u8);
        Assert.Equal("after the update"u8.ToArray(), b.Decrypt(secret));
        using var stale = GroupSession.FromStolenSecret(actors.Vault, "room-2", b.Epoch, b.Members, leaked, mallory, malloryKeys.Agreement, malloryKeys.Signing);
        Assert.Equal(GroupError.DecryptionFailed, Assert.Throws<GroupException>(() => stale.Decrypt(secret)).Error);
        a.Dispose();
    }

    [Fact]
    public async Task Forged_senders_replays_stale_epochs_and_outsiders_are_rejected()
    {
        var (alice, aliceKeys) = await MemberAsync();
        var (bob, bobKeys) = await MemberAsync();
        var (carol, carolKeys) = await MemberAsync();
        var (a, _) = GroupSession.Create(actors.Vault, "room-3", alice, aliceKeys.Agreement, aliceKeys.Signing);
        var commit = a.Commit([alice, bob, carol]);
        using var b = GroupSession.Join(actors.Vault, commit, bob, bobKeys.Agreement, bobKeys.Signing);
        using var c = GroupSession.Join(actors.Vault, commit, carol, carolKeys.Agreement, carolKeys.Signing);

        // Bob writes a message and claims Alice sent it: her key did not sign it.
        var bobs = b.Encrypt("trust me, I am alice"u8);
        Assert.Equal(GroupError.BadSignature, Assert.Throws<GroupException>(() => c.Decrypt(bobs with { Sender = alice.Identifier })).Error);
        Assert.Equal(GroupError.BadSignature, Assert.Throws<GroupException>(() => c.Decrypt(bobs with { Generation = 5 })).Error);

        // The genuine one, once.
        Assert.Equal("trust me, I am alice"u8.ToArray(), c.Decrypt(bobs));
        Assert.Equal(GroupError.Replayed, Assert.Throws<GroupException>(() => c.Decrypt(bobs)).Error);

        // Out of order inside one sender's chain: each once.
        var burst = Enumerable.Range(0, 10).Select(i => a.Encrypt(BitConverter.GetBytes(i))).ToList();
        var order = burst.OrderBy(m => (m.Generation * 7) % 10).ToList();
        Assert.Equal(Enumerable.Range(0, 10), order.Select(m => BitConverter.ToInt32(c.Decrypt(m))).Order());

        // A new epoch: messages of the old one are stale.
        var old = a.Encrypt("old epoch"u8);
        var update = a.Commit([alice, bob, carol]);
        c.Apply(update);
        Assert.Equal(GroupError.StaleEpoch, Assert.Throws<GroupException>(() => c.Decrypt(old)).Error);
        Assert.Equal(GroupError.StaleEpoch, Assert.Throws<GroupException>(() => c.Apply(update)).Error);

        // Someone outside, signing with its own key, is not a member.
        var (eve, eveKeys) = await MemberAsync();
        var (e, _) = GroupSession.Create(actors.Vault, "room-3", eve, eveKeys.Agreement, eveKeys.Signing);
        Assert.Equal(GroupError.NotAMember, Assert.Throws<GroupException>(() => c.Decrypt(e.Encrypt("hi"u8) with { Epoch = c.Epoch })).Error);
        while (e.Epoch < c.Epoch)
        {
            e.Commit([eve]);
        }

        Assert.Equal(GroupError.NotAMember, Assert.Throws<GroupException>(() => c.Apply(e.Commit([eve, carol]))).Error);
        e.Dispose();
        a.Dispose();
    }

    [Fact]
    public async Task Cost_figure_adding_one_member_to_rooms_of_10_100_and_1000()
    {
        var members = new List<(GroupMember Member, (KeyHandle Agreement, KeyHandle Signing) Keys)>();
        for (var i = 0; i < 1001; i++)
        {
            members.Add(await MemberAsync());
        }

        foreach (var size in new[] { 10, 100, 1000 })
        {
            var (owner, _) = GroupSession.Create(actors.Vault, $"room-{size}", members[0].Member, members[0].Keys.Agreement, members[0].Keys.Signing);
            owner.Commit([.. members.Take(size).Select(m => m.Member)]);
            var clock = Stopwatch.StartNew();
            var commit = owner.Commit([.. members.Take(size + 1).Select(m => m.Member)]);
            var elapsed = clock.Elapsed;
            var encoded = commit.Encode();
            output.WriteLine($"add one member to a room of {size}: commit {elapsed.TotalMilliseconds:F1} ms, {encoded.Length} bytes");

            // The newcomer really can join from it.
            using var joined = GroupSession.Join(actors.Vault, GroupCommit.Decode(encoded), members[size].Member, members[size].Keys.Agreement, members[size].Keys.Signing);
            Assert.Equal(size + 1, joined.Members.Count);
            owner.Dispose();
        }
    }

    public void Dispose() => actors.Dispose();

    private async Task<(GroupMember Member, (KeyHandle Agreement, KeyHandle Signing) Keys)> MemberAsync()
    {
        var identity = await actors.IdentityAsync();
        var agreement = await actors.Identities.CreatePurposeKeyAsync(identity, Purpose.GroupKeyAgreement, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var signing = await actors.Identities.CreatePurposeKeyAsync(identity, Purpose.GroupSigning, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var member = new GroupMember(identity.Identifier, agreement.Attestation.PublicKey, signing.Attestation.PublicKey);
        return (member, (agreement.Key, signing.Key));
    }
}
