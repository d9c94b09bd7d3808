using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;

namespace Ockam.Client.Tests;

/// <summary>
/// A phone that stays connected while its acknowledgements are lost on the way to its relay: the relay pushes the
/// unacknowledged window again after its timeout, the phone acknowledges the duplicates, and its application still
/// reads every reading once, in order.
/// </summary>
public sealed class RelayRedeliveryTests : IAsyncLifetime
{
    private const int Window = 16;
    private const int Readings = 100;
    private readonly TempDirectory data = new();
    private readonly TempDirectory phoneHome = new();
    private readonly TempDirectory monitorHome = new();

    /// <summary>The relay's acknowledgements lost between the gateway and the relay, while on.</summary>
    private readonly LostAcknowledgements lost = new();

    private RunningSilo silo = null!;

    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(
            data.Path,
            services: s => s.AddSingleton<IOutgoingGrainCallFilter>(lost),
            extraArgs: ["--Ockam:Relay:DeliveryWindow", Window.ToString(CultureInfo.InvariantCulture), "--Ockam:Relay:RedeliveryTimeout", "00:00:01"]);

    public async Task DisposeAsync()
    {
        await silo.DisposeAsync();
        data.Dispose();
        phoneHome.Dispose();
        monitorHome.Dispose();
    }

    /// <summary>
    /// Every acknowledgement of the first window is lost, so the window stays full with the phone connected; once the
    /// relay pushes it again (its timeout, not a reconnect), the phone's acknowledgements of the duplicates get through
    /// and the rest follows. Fails if the relay waits for a reconnect (the readings after the first window never come)
    /// or if the phone shows a duplicate.
    /// </summary>
    [Fact]
    public async Task Lost_acknowledgements_reopen_the_window_by_redelivery_and_each_reading_reaches_the_application_once()
    {
        await using var pair = await PhoneAndMonitor.ConnectedAsync(silo, phoneHome.Path, monitorHome.Path);

        lost.On = true;
        for (var i = 1; i <= Readings; i++)
        {
            await pair.SendAsync(i);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var readings = new List<int>();

        // A window's worth reaches the phone (how many readings that is depends on how many of the handshake's
        // messages were still unacknowledged when the losses began), and its acknowledgements are lost, as are those
        // of the duplicates the relay pushes again meanwhile: the rest is held back.
        var relay = silo.Grains.GetGrain<IRelayGrain>("phone");
        await Eventually.TrueAsync(() => lost.Dropped > 2, cancellationToken: timeout.Token);

        // Every reading is stored and none has left: all their acknowledgements so far were lost.
        await Eventually.TrueAsync(async () => (await relay.GetStatusAsync()).Queued >= Readings, cancellationToken: timeout.Token);
        lost.On = false;
        while (readings.Count < Readings)
        {
            readings.Add(await pair.ReadingAsync(timeout.Token));
        }

        Assert.Equal(Enumerable.Range(1, Readings), readings);
        await Eventually.TrueAsync(async () => (await relay.GetStatusAsync()).Queued == 0, cancellationToken: timeout.Token);

        // The duplicates the relay pushed again were acknowledged and dropped, never shown.
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pair.Phone.ReceiveAsync(quiet.Token));
    }

    /// <summary>While on, a relay acknowledgement never reaches the relay, and the gateway hears Ok as if it had.</summary>
    private sealed class LostAcknowledgements : IOutgoingGrainCallFilter
    {
        private volatile bool on;
        private int dropped;

        public bool On
        {
            get => on;
            set => on = value;
        }

        public int Dropped => Volatile.Read(ref dropped);

        public Task Invoke(IOutgoingGrainCallContext context)
        {
            if (!on || context.InterfaceMethod?.Name != nameof(IRelayGrain.AcknowledgeAsync))
            {
                return context.Invoke();
            }

            Interlocked.Increment(ref dropped);
            context.Result = RelayOutcome.Ok;
            return Task.CompletedTask;
        }
    }
}
