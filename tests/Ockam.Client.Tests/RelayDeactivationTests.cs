using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;

namespace Ockam.Client.Tests;

/// <summary>
/// A relay's owner connection lives only in the memory of its activation. An activation that goes while its owner
/// listens — collected after Orleans' collection age, or deactivated because the silo holding its directory entry
/// died — comes back knowing no owner, and the owner's node, whose own connection never broke, is not told.
/// </summary>
public sealed class RelayDeactivationTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly TempDirectory phoneHome = new();
    private readonly TempDirectory monitorHome = new();
    private RunningSilo silo = null!;

    public async Task InitializeAsync() => silo = await RunningSilo.StartAsync(data.Path);

    public async Task DisposeAsync()
    {
        await silo.DisposeAsync();
        data.Dispose();
        phoneHome.Dispose();
        monitorHome.Dispose();
    }

    /// <summary>
    /// Every idle activation is collected, the relay's included, as Orleans does once they have been idle for its
    /// collection age (15 minutes by default: a phone waiting quietly that long). The next reading is pushed to the
    /// phone within seconds. Fails if the relay's going leaves its owner unheard (the reading would wait in the
    /// mailbox until the phone reconnected, and it never does).
    /// </summary>
    [Fact]
    public async Task A_relay_collected_while_its_owner_listens_still_pushes_the_next_reading()
    {
        await using var pair = await PhoneAndMonitor.ConnectedAsync(silo, phoneHome.Path, monitorHome.Path);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await pair.SendAsync(1);
        Assert.Equal(1, await pair.ReadingAsync(timeout.Token));

        // Idle: the phone's acknowledgement has been taken, so nothing keeps the relay's activation from collection.
        var relay = silo.Grains.GetGrain<IRelayGrain>("phone");
        await Eventually.TrueAsync(async () => (await relay.GetStatusAsync()).Queued == 0, cancellationToken: timeout.Token);
        var before = await relay.GetStatusAsync();
        Assert.True(before.Online);

        // Collected again if a timer's turn kept it busy at the first sweep. A new activation starts its sequences at
        // the block its state reserved: that is how the test knows the relay was collected.
        var management = silo.Grains.GetGrain<IManagementGrain>(0);
        await Eventually.TrueAsync(
            async () =>
            {
                await management.ForceActivationCollection(TimeSpan.Zero);
                return (await relay.GetStatusAsync()).NextSequence > before.NextSequence;
            },
            cancellationToken: timeout.Token);

        await pair.SendAsync(2);
        using var soon = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        soon.CancelAfter(TimeSpan.FromSeconds(10));
        Assert.Equal(2, await pair.ReadingAsync(soon.Token));
        Assert.True((await relay.GetStatusAsync()).Online);
    }
}
