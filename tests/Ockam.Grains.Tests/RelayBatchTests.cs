using Microsoft.Extensions.Logging.Abstractions;
using Ockam.Grains.Contracts;
using Ockam.Silo.Gateway;

namespace Ockam.Grains.Tests;

/// <summary>A relay takes a batch per call (issue 12): one transaction for all of it, its order kept, each message's own outcome.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class RelayBatchTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Order_is_kept_within_a_batch_and_across_batches_offline_and_live()
    {
        var relay = await ClaimedAsync();
        Assert.All(await relay.SendBatchAsync(Envelopes(1, 5)), o => Assert.Equal(RelayOutcome.Ok, o));
        Assert.All(await relay.SendBatchAsync(Envelopes(6, 5)), o => Assert.Equal(RelayOutcome.Ok, o));

        var owner = new RelayRecorder();
        await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(owner));
        var stored = await owner.TakeAsync(10);
        Assert.Equal(Enumerable.Range(1, 10), stored.Select(m => (int)m.Envelope[0]));
        Assert.Equal(stored.Select(m => m.Sequence).Order(), stored.Select(m => m.Sequence));

        // Live: the next batches go straight out, in order, after what was stored.
        Assert.All(await relay.SendBatchAsync(Envelopes(11, 3)), o => Assert.Equal(RelayOutcome.Ok, o));
        Assert.All(await relay.SendBatchAsync(Envelopes(14, 3)), o => Assert.Equal(RelayOutcome.Ok, o));
        Assert.Equal(Enumerable.Range(11, 6), (await owner.TakeAsync(6)).Select(m => (int)m.Envelope[0]));
        Assert.Equal(16, (await relay.GetStatusAsync()).Queued);
    }

    [Fact]
    public async Task A_batch_that_overfills_the_mailbox_keeps_the_ones_that_fit_and_refuses_the_rest()
    {
        // Attack: a sender's burst beyond the mailbox's count bound; the bound holds within one batch, not only between calls.
        var relay = await ClaimedAsync();
        var room = ClusterFixture.RelayMailboxCapacity - 3;
        for (var sent = 0; sent < room; sent += RelayedEnvelope.MaxBatch)
        {
            Assert.All(await relay.SendBatchAsync(Envelopes(sent, Math.Min(RelayedEnvelope.MaxBatch, room - sent))), o => Assert.Equal(RelayOutcome.Ok, o));
        }

        Assert.Equal(
            [RelayOutcome.Ok, RelayOutcome.Ok, RelayOutcome.Ok, RelayOutcome.MailboxFull, RelayOutcome.MailboxFull],
            await relay.SendBatchAsync(Envelopes(200, 5)));
        Assert.Equal(ClusterFixture.RelayMailboxCapacity, (await relay.GetStatusAsync()).Queued);

        var owner = new RelayRecorder();
        await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(owner));
        var delivered = new List<RelayedMessage>();
        while (delivered.Count < ClusterFixture.RelayMailboxCapacity)
        {
            var window = await owner.TakeAsync(Math.Min(ClusterFixture.RelayDeliveryWindow, ClusterFixture.RelayMailboxCapacity - delivered.Count));
            delivered.AddRange(window);
            await relay.AcknowledgeAsync("owner", [.. window.Select(m => m.Sequence)]);
        }

        Assert.Equal([200, 201, 202], delivered.TakeLast(3).Select(m => (int)m.Envelope[0]));
    }

    [Fact]
    public async Task The_bytes_bound_counts_the_batch_itself()
    {
        // Five quarters of the mailbox's bytes in one batch: four fit, the fifth is refused (not measured against the mailbox before the batch).
        var relay = await ClaimedAsync();
        var quarter = ClusterFixture.RelayMailboxBytes / 4;
        var batch = Enumerable.Range(0, 5).Select(i => new RelayedEnvelope(new byte[quarter], 0, "peer")).ToArray();
        Assert.Equal([RelayOutcome.Ok, RelayOutcome.Ok, RelayOutcome.Ok, RelayOutcome.Ok, RelayOutcome.MailboxFull], await relay.SendBatchAsync(batch));
        Assert.Equal((long)ClusterFixture.RelayMailboxBytes, (await relay.GetStatusAsync()).QueuedBytes);
    }

    [Fact]
    public async Task A_batch_beyond_its_bounds_is_refused_whole()
    {
        var relay = await ClaimedAsync();
        Assert.All(await relay.SendBatchAsync(Envelopes(0, RelayedEnvelope.MaxBatch + 1)), o => Assert.Equal(RelayOutcome.Malformed, o));
        var half = new RelayedEnvelope(new byte[(RelayedEnvelope.MaxBatchBytes / 2) + 1], 0, "peer");
        Assert.Equal([RelayOutcome.Malformed, RelayOutcome.Malformed], await relay.SendBatchAsync([half, half]));
        Assert.Empty(await relay.SendBatchAsync([]));
        Assert.Equal(0, (await relay.GetStatusAsync()).Queued);
    }

    [Fact]
    public async Task A_batch_is_stored_with_one_append()
    {
        var relay = await ClaimedAsync();
        var name = relay.GetPrimaryKeyString();
        Assert.All(await relay.SendBatchAsync(Envelopes(0, 20)), o => Assert.Equal(RelayOutcome.Ok, o));
        Assert.Equal(1, fixture.Mail.Appends(name));
    }

    [Fact]
    public async Task Messages_queued_together_at_the_gateway_reach_the_store_in_fewer_transactions_than_messages()
    {
        const int Count = 40;
        var relay = await ClaimedAsync();
        var name = relay.GetPrimaryKeyString();

        // The first hand-over is held until every message is queued: they arrive together, as behind a slow store.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allHandedOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handedOver = 0;
        var calls = 0;
        using var queues = new RelayQueues(new EdgeGatewayOptions(), async (target, batch) =>
        {
            await held.Task;
            Interlocked.Increment(ref calls);
            Assert.All(await fixture.Grains.GetGrain<IRelayGrain>(target).SendBatchAsync(batch), o => Assert.Equal(RelayOutcome.Ok, o));
            if (Interlocked.Add(ref handedOver, batch.Length) == Count)
            {
                allHandedOver.SetResult();
            }
        }, TimeProvider.System, NullLogger.Instance);
        foreach (var envelope in Envelopes(0, Count))
        {
            await queues.EnqueueAsync(name, envelope, CancellationToken.None);
        }

        held.SetResult();
        await allHandedOver.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(calls, 1, 2);
        Assert.InRange(fixture.Mail.Appends(name), 1, 2);

        var owner = new RelayRecorder();
        await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(owner));
        Assert.Equal(Enumerable.Range(0, ClusterFixture.RelayDeliveryWindow), (await owner.TakeAsync(ClusterFixture.RelayDeliveryWindow)).Select(m => (int)m.Envelope[0]));
    }

    [Fact]
    public async Task Live_envelopes_go_to_a_connected_owner_in_order_and_are_never_stored()
    {
        var relay = await ClaimedAsync();
        var before = await relay.GetStatusAsync();

        // No owner connected: refused, not kept for later.
        Assert.All(await relay.SendLiveAsync(Envelopes(1, 3)), o => Assert.Equal(RelayOutcome.Offline, o));
        var owner = new RelayRecorder();
        await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(owner));
        Assert.All(await relay.SendLiveAsync(Envelopes(4, 3)), o => Assert.Equal(RelayOutcome.Ok, o));
        Assert.All(await relay.SendLiveAsync(Envelopes(7, 2)), o => Assert.Equal(RelayOutcome.Ok, o));

        var delivered = await owner.TakeAsync(5);
        Assert.Equal(Enumerable.Range(4, 5), delivered.Select(m => (int)m.Envelope[0]));
        Assert.All(delivered, m => Assert.Equal((0UL, RelayOrigin.Peer, "peer"), (m.Sequence, m.Origin, m.Sender)));
        var after = await relay.GetStatusAsync();
        Assert.Equal((0, before.NextSequence), (after.Queued, after.NextSequence));
        Assert.Equal(0, fixture.Mail.Appends(relay.GetPrimaryKeyString()));
    }

    /// <summary>
    /// A relay that cannot take its messages for a while (its database is away): the hop keeps the batch at the head of
    /// its queue and tries again, so everything arrives, in order; without the retries the first batch would be lost.
    /// </summary>
    [Fact]
    public async Task A_hand_over_that_fails_for_a_while_is_tried_again_and_nothing_is_lost_or_reordered()
    {
        var failures = 3;
        var handedOver = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var queues = new RelayQueues(new EdgeGatewayOptions(), (_, batch) =>
        {
            if (Interlocked.Decrement(ref failures) >= 0)
            {
                throw new InvalidOperationException("the relay's storage is unavailable");
            }

            lock (handedOver)
            {
                handedOver.AddRange(batch.Select(m => (int)m.Envelope[0]));
                if (handedOver.Count == 20)
                {
                    done.SetResult();
                }
            }

            return Task.CompletedTask;
        }, TimeProvider.System, NullLogger.Instance);
        foreach (var envelope in Envelopes(0, 20))
        {
            await queues.EnqueueAsync("r", envelope, CancellationToken.None);
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 20), handedOver);
    }

    /// <summary>Past its patience the hop gives a batch up (logged) and goes on with the next: one broken relay call cannot hold a queue for ever.</summary>
    [Fact]
    public async Task A_hand_over_that_keeps_failing_is_given_up_after_the_patience_and_the_queue_moves_on()
    {
        var calls = 0;
        var later = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var queues = new RelayQueues(new EdgeGatewayOptions { RelayHandOverPatience = TimeSpan.Zero }, (_, batch) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("broken");
            }

            later.TrySetResult(batch[0].Envelope[0]);
            return Task.CompletedTask;
        }, TimeProvider.System, NullLogger.Instance);
        await queues.EnqueueAsync("r", Envelopes(0, 1)[0], CancellationToken.None);
        await Eventually.TrueAsync(() => Volatile.Read(ref calls) == 1 && queues.Count == 0);
        await queues.EnqueueAsync("r", Envelopes(1, 1)[0], CancellationToken.None);

        Assert.Equal(1, await later.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, calls);
    }

    private async Task<IRelayGrain> ClaimedAsync()
    {
        var relay = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        Assert.Equal(RelayOutcome.Ok, await relay.ClaimAsync("owner", durable: true));
        return relay;
    }

    /// <summary>Envelopes whose first byte numbers them, from <paramref name="first"/>.</summary>
    private static RelayedEnvelope[] Envelopes(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(i => new RelayedEnvelope([(byte)i, 0, 0, 0], 0, "peer"))];
}
