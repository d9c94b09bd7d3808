using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using Ockam.Messaging.Nodes;

namespace Ockam.Client.Tests;

/// <summary>
/// A node publishes MLS KeyPackages when it enrols, so that it can be invited at once, and keeps their private keys in
/// its home, where a Welcome after a restart finds them; it tops the silo up when it opens its rooms, never beyond.
/// </summary>
public sealed class KeyPackageTests
{
    private const int Target = 8;

    /// <summary>What enrolment publishes: a couple of invitations' worth, topped up to <see cref="Target"/> when the node opens its rooms.</summary>
    private const int Enrolled = 2;

    [Fact]
    public async Task A_freshly_enrolled_node_has_key_packages_at_the_silo_whose_private_keys_survive_a_restart()
    {
        using var data = new TempDirectory();
        using var home = new TempDirectory();
        await using var silo = await RunningSilo.StartAsync(data.Path);
        string subject;
        await using (var node = await silo.EnrolledNodeAsync(home.Path, ("ockam.role", "sensor")))
        {
            subject = node.Identifier.ToString();
        }

        var grain = silo.Grains.GetGrain<IIdentityGrain>(subject);
        Assert.Equal(Enrolled, (await grain.PublishKeyPackagesAsync([])).Held);
        var claim = await grain.ClaimKeyPackageAsync("inviter");
        Assert.Equal(KeyPackageClaimOutcome.Claimed, claim.Outcome);
        var claimed = KeyPackage.Decode(claim.KeyPackage);
        var reference = claimed.ComputeRef(OckamKeyPackages.Suite);

        // The node is gone; its home, reopened, still holds the claimed package's init and encryption keys.
        using (var reopened = await NodeHome.OpenAsync(home.Path))
        using (var store = new KeyPackageStore(Path.Combine(home.Path, "key-packages.json"), reopened.Vault, TimeProvider.System))
        {
            Assert.Equal(KeyPackageStore.Capacity - Enrolled, await store.RoomAsync());
            var (kept, initKey, encryptionKey) = (await store.TakeAsync(reference)).GetValueOrDefault();
            Assert.Equal(claim.KeyPackage, kept.Encode());
            Assert.Equal(claimed.InitKey.ToArray(), reopened.Vault.GetPublicKey(initKey));
            Assert.Equal(claimed.LeafNode.EncryptionKey.ToArray(), reopened.Vault.GetPublicKey(encryptionKey));
            Assert.Null(await store.TakeAsync(reference));
        }

        // Taken is taken, across restarts too; the other packages stay.
        using (var reopened = await NodeHome.OpenAsync(home.Path))
        using (var store = new KeyPackageStore(Path.Combine(home.Path, "key-packages.json"), reopened.Vault, TimeProvider.System))
        {
            Assert.Null(await store.TakeAsync(reference));
            Assert.Equal(KeyPackageStore.Capacity - Enrolled + 1, await store.RoomAsync());
        }
    }

    [Fact]
    public async Task Opening_its_rooms_tops_the_silo_up_to_the_target_and_no_further()
    {
        using var data = new TempDirectory();
        using var home = new TempDirectory();
        await using var silo = await RunningSilo.StartAsync(data.Path);
        await using var node = await silo.EnrolledNodeAsync(home.Path, ("ockam.role", "sensor"));
        var grain = silo.Grains.GetGrain<IIdentityGrain>(node.Identifier.ToString());
        Assert.Equal(KeyPackageClaimOutcome.Claimed, (await grain.ClaimKeyPackageAsync("inviter")).Outcome);
        Assert.Equal(Enrolled - 1, (await grain.PublishKeyPackagesAsync([])).Held);
        await node.RoomsAsync();
        Assert.Equal(Target, (await grain.PublishKeyPackagesAsync([])).Held);
    }

    [Fact]
    public async Task The_store_drops_expired_packages_with_their_keys_and_refuses_more_than_its_capacity()
    {
        using var home = new TempDirectory();
        var clock = new Clock(DateTimeOffset.UtcNow);
        using var vault = await SoftwareVault.OpenAsync(Path.Combine(home.Path, "vault.cbor"));
        var identities = new IdentityManager(vault, clock);
        var identity = await identities.CreateAsync();
        var signing = await identities.CreatePurposeKeyAsync(identity, Purpose.GroupSigning, TimeSpan.FromDays(60), KeyPersistence.Ephemeral);
        using var store = new KeyPackageStore(Path.Combine(home.Path, "key-packages.json"), vault, clock);
        var old = await OckamKeyPackages.CreateAsync(vault, signing, clock, [], KeyPersistence.Persistent);
        await store.AddAsync([old]);
        clock.Now += TimeSpan.FromDays(20);
        var fresh = await OckamKeyPackages.CreateAsync(vault, signing, clock, [], KeyPersistence.Persistent);
        await store.AddAsync([fresh]);

        clock.Now += TimeSpan.FromDays(15);
        await store.DropExpiredAsync();
        Assert.False(vault.Contains(old.InitKey));
        Assert.False(vault.Contains(old.EncryptionKey));
        Assert.Null(await store.TakeAsync(old.KeyPackage.ComputeRef(OckamKeyPackages.Suite)));
        Assert.True(vault.Contains(fresh.InitKey));
        Assert.Equal(KeyPackageStore.Capacity - 1, await store.RoomAsync());

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddAsync(Enumerable.Repeat(fresh, KeyPackageStore.Capacity).ToList()));
        Assert.Equal(KeyPackageStore.Capacity - 1, await store.RoomAsync());
    }

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
