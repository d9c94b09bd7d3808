using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Nodes;

namespace Ockam.Messaging.Tests.Nodes;

/// <summary>An edge node remembers its peers' longest histories across restarts: a peer's rolled-away key stays out.</summary>
public sealed class PeerHistoriesTests : IDisposable
{
    private readonly string home = Directory.CreateTempSubdirectory("ockam-peers-").FullName;
    private readonly SoftwareVault vault = new();

    [Fact]
    public async Task A_rotated_peer_presenting_its_old_history_is_refused_after_the_node_restarts()
    {
        var identities = new IdentityManager(vault, TimeProvider.System);
        var peer = await identities.CreateAsync();
        var old = peer.History;
        var rotated = await identities.RotateAsync(peer);
        var now = DateTimeOffset.UtcNow;

        using (var first = PeerHistories.Open(home, vault, now))
        {
            await first.AcceptAsync(old, now);
            await first.AcceptAsync(rotated.History, now);
        }

        using var restarted = PeerHistories.Open(home, vault, now);
        Assert.Equal(IdentityError.RolledBack, (await Assert.ThrowsAsync<IdentityException>(() => restarted.AcceptAsync(old, now).AsTask())).Error);
        Assert.Equal(2, (await restarted.AcceptAsync(rotated.History, now)).History.Changes.Count);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(home, "peers.cbor")));
        }
    }

    [Fact]
    public async Task A_new_peer_presenting_a_rotated_history_is_written_at_once_so_its_old_key_stays_out_after_a_restart()
    {
        var identities = new IdentityManager(vault, TimeProvider.System);
        var peer = await identities.CreateAsync();
        var old = peer.History;
        var rotated = await identities.RotateAsync(peer);
        var now = DateTimeOffset.UtcNow;

        // Met for the first time already rotated: only a first change alone may go unwritten, not this.
        using (var first = PeerHistories.Open(home, vault, now))
        {
            await first.AcceptAsync(rotated.History, now);
        }

        using var restarted = PeerHistories.Open(home, vault, now);
        Assert.Equal(IdentityError.RolledBack, (await Assert.ThrowsAsync<IdentityException>(() => restarted.AcceptAsync(old, now).AsTask())).Error);
    }

    [Fact]
    public async Task A_peer_known_only_by_its_first_change_is_not_written_until_something_else_is()
    {
        var identities = new IdentityManager(vault, TimeProvider.System);
        var silo = await identities.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        using var histories = PeerHistories.Open(home, vault, now);

        // A first change cannot be rolled back to nor forked from: a fresh node meeting a silo that never rotated writes nothing.
        await histories.AcceptAsync(silo.History, now);
        Assert.False(File.Exists(Path.Combine(home, "peers.cbor")));

        // When it rotates, it is written, and a restart keeps its old key out.
        var rotated = await identities.RotateAsync(silo);
        await histories.AcceptAsync(rotated.History, now);
        using var restarted = PeerHistories.Open(home, vault, now);
        Assert.Equal(IdentityError.RolledBack, (await Assert.ThrowsAsync<IdentityException>(() => restarted.AcceptAsync(silo.History, now).AsTask())).Error);
    }

    [Fact]
    public async Task A_peer_whose_history_forked_stays_compromised_after_the_node_restarts()
    {
        using var actors = new Ockam.Testing.Actors();
        var peer = await actors.IdentityAsync();
        var (branchA, _) = await Ockam.Testing.Forge.ChangeAsync(actors, peer.History, peer.PrimaryKey);
        var (branchB, _) = await Ockam.Testing.Forge.ChangeAsync(actors, peer.History, peer.PrimaryKey);
        using (var first = PeerHistories.Open(home, actors.Vault, actors.Now))
        {
            await first.AcceptAsync(branchA, actors.Now);
            Assert.Equal(IdentityError.Fork, (await Assert.ThrowsAsync<IdentityException>(() => first.AcceptAsync(branchB, actors.Now).AsTask())).Error);

            // Another peer's arrival (rotated, so it is written) rewrites the file: the compromised one must not be dropped from it.
            var other = await actors.IdentityAsync();
            var (otherRotated, _) = await Ockam.Testing.Forge.ChangeAsync(actors, other.History, other.PrimaryKey);
            await first.AcceptAsync(otherRotated, actors.Now);
        }

        using var restarted = PeerHistories.Open(home, actors.Vault, actors.Now);
        Assert.Equal(IdentityError.Compromised, (await Assert.ThrowsAsync<IdentityException>(() => restarted.AcceptAsync(peer.History, actors.Now).AsTask())).Error);
        Assert.Equal(IdentityError.Compromised, (await Assert.ThrowsAsync<IdentityException>(() => restarted.AcceptAsync(branchA, actors.Now).AsTask())).Error);
    }

    [Fact]
    public async Task Only_a_peer_the_trust_policy_accepts_is_recorded()
    {
        await using var fleet = new Support.Fleet();
        var bob = await fleet.MemberAsync();

        // Rotated, so that recording either would write the file (a first change alone is not written).
        var friend = await RotatedAsync(fleet);
        var stranger = await RotatedAsync(fleet);
        var a = fleet.Node("a");
        var b = fleet.Node("b");
        using var histories = PeerHistories.Open(home, fleet.Vault, fleet.Now);
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, Ockam.Messaging.SecureChannels.TrustPolicy.Identifiers(friend.Identifier)) with { Histories = histories });
        var failed = new TaskCompletionSource<Ockam.Messaging.SecureChannels.HandshakeError>();
        listener.HandshakeFailed += (_, e) => failed.TrySetResult(e.Error);
        var toB = Ockam.Messaging.Routing.Route.Of(Ockam.Messaging.Routing.Address.Memory("b"), Ockam.Messaging.Routing.Address.Local("listener"));

        await Assert.ThrowsAsync<Ockam.Messaging.SecureChannels.HandshakeException>(() => Ockam.Messaging.SecureChannels.SecureChannel.CreateAsync(
            a, toB, fleet.Options(stranger, Ockam.Messaging.SecureChannels.TrustPolicy.AnyIdentity) with { HandshakeTimeout = TimeSpan.FromSeconds(3) }));
        Assert.Equal(Ockam.Messaging.SecureChannels.HandshakeError.Untrusted, await failed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(Path.Combine(home, "peers.cbor")));

        await Ockam.Messaging.SecureChannels.SecureChannel.CreateAsync(a, toB, fleet.Options(friend, Ockam.Messaging.SecureChannels.TrustPolicy.AnyIdentity));
        await WaitForFileAsync(Path.Combine(home, "peers.cbor"));
    }

    private static async Task<Support.Member> RotatedAsync(Support.Fleet fleet)
    {
        var rotated = await fleet.Identities.RotateAsync((await fleet.MemberAsync()).Identity);
        return new Support.Member(rotated, await fleet.Identities.CreatePurposeKeyAsync(rotated, Purpose.SecureChannelStatic, TimeSpan.FromDays(30), KeyPersistence.Ephemeral));
    }

    private static Task WaitForFileAsync(string path) => Eventually.TrueAsync(() => File.Exists(path));

    [Fact]
    public void A_corrupt_file_is_a_clear_error_not_a_forgotten_peer()
    {
        File.WriteAllBytes(Path.Combine(home, "peers.cbor"), [0xa2, 0x00, 0x07]);
        Assert.Throws<Ockam.Identity.Encoding.OckamDecodeException>(() => PeerHistories.Open(home, vault, DateTimeOffset.UtcNow));
    }

    public void Dispose()
    {
        vault.Dispose();
        Directory.Delete(home, recursive: true);
    }
}
