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

    /// <summary>
    /// A push that times out (a slow owner, a busy silo: Orleans gives up after its response timeout) leaves the owner
    /// connected: what it carried is pushed again after the redelivery timeout. Fails if the relay lets the owner go on
    /// a timeout — then it is deaf until its node reconnects, though its connection is fine.
    /// </summary>
    [Fact]
    public async Task A_push_that_times_out_keeps_the_owner_and_is_pushed_again()
    {
        var relay = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        await relay.ClaimAsync("owner", durable: true);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(RelayOutcome.Ok, await relay.SendAsync([(byte)i], 0, "peer"));
        }

        var owner = new TimingOutOnce();
        Assert.Equal(RelayOutcome.Ok, await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(owner)));
        Assert.True((await relay.GetStatusAsync()).Online);

        fixture.Time.Advance(ClusterFixture.RelayRedeliveryTimeout * 2);
        var delivered = await owner.Recorder.TakeAsync(3);
        Assert.Equal([0, 1, 2], delivered.Select(m => (int)m.Envelope[0]));
    }

    /// <summary>
    /// The owner's connection stops answering in the middle of a push (its silo was killed; nothing tells the relay
    /// until the call times out). The owner connects again through another silo: its connection is taken, and the
    /// message delivered, within the push's own timeout. Fails if the push waits out Orleans' default 30 s response
    /// timeout, holding the relay's turn, and the new connection behind it.
    /// </summary>
    [Fact]
    public async Task A_push_to_a_connection_that_never_answers_holds_the_relay_for_seconds_not_half_a_minute()
    {
        var relay = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        await relay.ClaimAsync("owner", durable: true);
        var dead = new NeverAnswering();
        Assert.Equal(RelayOutcome.Ok, await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(dead)));

        // Stored, then pushed to the connection that never answers: the send's turn waits for that push.
        var sent = relay.SendAsync([7], 0, "peer");
        await dead.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var recorder = new RelayRecorder();
        var connected = relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(recorder));

        // The silo's clock (which Orleans times calls by) passes the push's own timeout, 6 s at a time and 24 s in all:
        // never Orleans' default. Orleans looks for expired calls once a real second, so each step waits that long; and
        // the relay's redelivery timer may push to the dead connection once more before the new one is taken.
        for (var step = 0; step < 4 && !connected.IsCompleted; step++)
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(6));
            await Task.WhenAny(connected, connected.WaitAsync(TimeSpan.FromSeconds(2)));
        }

        Assert.Equal(RelayOutcome.Ok, await connected.WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(RelayOutcome.Ok, await sent.WaitAsync(TimeSpan.FromSeconds(1)));
        var delivered = await recorder.TakeAsync(1);
        Assert.Equal([7], delivered.Single().Envelope);
    }

    /// <summary>An owner's connection on a silo that died mid-call: the push is taken and never answered.</summary>
    private sealed class NeverAnswering : IRelayObserver
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task DeliverAsync(string relay, IReadOnlyList<RelayedMessage> messages)
        {
            Called.TrySetResult();
            return new TaskCompletionSource().Task;
        }

        public Task RelayGoingAsync(string relay) => Task.CompletedTask;
    }

    /// <summary>An owner's connection whose first push times out, as Orleans reports a call that took too long.</summary>
    private sealed class TimingOutOnce : IRelayObserver
    {
        private int calls;

        public RelayRecorder Recorder { get; } = new();

        public Task DeliverAsync(string relay, IReadOnlyList<RelayedMessage> messages) =>
            Interlocked.Increment(ref calls) == 1 ? throw new TimeoutException("the owner's silo did not answer in time") : Recorder.DeliverAsync(relay, messages);

        public Task RelayGoingAsync(string relay) => Task.CompletedTask;
    }
}
