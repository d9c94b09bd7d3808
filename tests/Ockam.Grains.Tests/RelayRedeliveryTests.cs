using Ockam.Grains.Contracts;

namespace Ockam.Grains.Tests;

/// <summary>A connected owner whose acknowledgements never arrive: the relay pushes again after its timeout, not only on a reconnect.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class RelayRedeliveryTests(ClusterFixture fixture)
{
    /// <summary>
    /// A full window is pushed and none of its acknowledgements arrives (lost on the way). The owner stays connected, so
    /// no reconnect would ever push again: once the timeout has passed the relay pushes the same messages again, and
    /// when those are acknowledged the window reopens for the rest. Fails if the relay waits for a reconnect.
    /// </summary>
    [Fact]
    public async Task A_window_whose_acknowledgements_were_lost_is_pushed_again_after_the_timeout_and_then_reopens()
    {
        const int total = ClusterFixture.RelayDeliveryWindow * 2;
        var relay = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        await relay.ClaimAsync("owner", durable: true);
        for (var i = 0; i < total; i++)
        {
            Assert.Equal(RelayOutcome.Ok, await relay.SendAsync([(byte)i], 0, "peer"));
        }

        var recorder = new RelayRecorder();
        Assert.Equal(RelayOutcome.Ok, await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(recorder)));
        var first = await recorder.TakeAsync(ClusterFixture.RelayDeliveryWindow);
        Assert.Equal(Enumerable.Range(0, ClusterFixture.RelayDeliveryWindow), first.Select(m => (int)m.Envelope[0]));

        // Their acknowledgements are lost: the window stays full until the timeout passes.
        fixture.Time.Advance(ClusterFixture.RelayRedeliveryTimeout * 2);
        var again = await recorder.TakeAsync(ClusterFixture.RelayDeliveryWindow);
        Assert.Equal(first.Select(m => m.Sequence), again.Select(m => m.Sequence));
        Assert.Equal(total, (await relay.GetStatusAsync()).Queued);

        // This time they are acknowledged: the window reopens, and the rest follows in order.
        Assert.Equal(RelayOutcome.Ok, await relay.AcknowledgeAsync("owner", [.. again.Select(m => m.Sequence)]));
        var rest = await recorder.TakeAsync(ClusterFixture.RelayDeliveryWindow);
        Assert.Equal(Enumerable.Range(ClusterFixture.RelayDeliveryWindow, ClusterFixture.RelayDeliveryWindow), rest.Select(m => (int)m.Envelope[0]));
        Assert.Equal(RelayOutcome.Ok, await relay.AcknowledgeAsync("owner", [.. rest.Select(m => m.Sequence)]));
        Assert.Equal(0, (await relay.GetStatusAsync()).Queued);
    }
}
