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
