using Ockam.Grains.Contracts;

namespace Ockam.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class RelayGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_mailbox_keeps_order_lets_high_priority_overtake_and_redelivers_until_acknowledged()
    {
        var relay = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        Assert.Equal(RelayOutcome.Unknown, await relay.SendAsync([1], 0, "peer"));
        Assert.Equal(RelayOutcome.Ok, await relay.ClaimAsync("owner", durable: true));
        Assert.Equal(RelayOutcome.NotOwner, await relay.ClaimAsync("someone else", durable: true));

        // The owner is offline: everything waits, a high-priority message ahead of the queued normal ones.
        foreach (var (payload, priority) in new[] { ((byte)1, (byte)0), ((byte)2, (byte)0), ((byte)3, (byte)0), ((byte)4, (byte)1) })
        {
            Assert.Equal(RelayOutcome.Ok, await relay.SendAsync([payload], priority, "peer"));
        }

        var first = new RelayRecorder();
        var reference = fixture.Grains.CreateObjectReference<IRelayObserver>(first);
        Assert.Equal(RelayOutcome.NotOwner, await relay.ConnectAsync("someone else", reference));
        Assert.Equal(RelayOutcome.Ok, await relay.ConnectAsync("owner", reference));
        var delivered = await first.TakeAsync(4);
        Assert.Equal([4, 1, 2, 3], delivered.Select(m => (int)m.Envelope[0]));

        // Messages 4 and 1 are acknowledged (each by its own sequence): only 2 and 3 come again. Acknowledging
        // the high-priority message, whose sequence is the highest, must not release the ones still unconfirmed.
        await relay.AcknowledgeAsync("owner", [delivered[0].Sequence]);
        await relay.AcknowledgeAsync("owner", [delivered[1].Sequence]);
        await relay.DisconnectAsync(reference);
        var second = new RelayRecorder();
        await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(second));
        Assert.Equal([2, 3], (await second.TakeAsync(2)).Select(m => (int)m.Envelope[0]));

        // Live: a new message goes straight out.
        await relay.SendAsync([5], 0, "peer");
        Assert.Equal(5, (await second.TakeAsync(1))[0].Envelope[0]);
        Assert.Equal(3, (await relay.GetStatusAsync()).Queued);
    }

    [Fact]
    public async Task A_full_mailbox_refuses_rather_than_drops_and_an_ephemeral_relay_stores_nothing_offline()
    {
        var relay = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        await relay.ClaimAsync("owner", durable: true);
        for (var i = 0; i < ClusterFixture.RelayMailboxCapacity; i++)
        {
            Assert.Equal(RelayOutcome.Ok, await relay.SendAsync([(byte)i], 0, "peer"));
        }

        Assert.Equal(RelayOutcome.MailboxFull, await relay.SendAsync([0xff], 0, "peer"));
        Assert.Equal(ClusterFixture.RelayMailboxCapacity, (await relay.GetStatusAsync()).Queued);

        // The bytes bound holds however few the messages: four of 16 KiB fill it, and then not even one byte fits.
        var large = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        await large.ClaimAsync("owner", durable: true);
        var quarter = ClusterFixture.RelayMailboxBytes / 4;
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(RelayOutcome.Ok, await large.SendAsync(new byte[quarter], 0, "peer"));
        }

        Assert.Equal(RelayOutcome.MailboxFull, await large.SendAsync([1], 0, "peer"));
        Assert.Equal((4, (long)ClusterFixture.RelayMailboxBytes), ((await large.GetStatusAsync()).Queued, (await large.GetStatusAsync()).QueuedBytes));

        // An acknowledgement makes room again.
        var recorder = new RelayRecorder();
        await large.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(recorder));
        Assert.Equal(RelayOutcome.Ok, await large.AcknowledgeAsync("owner", [(await recorder.TakeAsync(1))[0].Sequence]));
        Assert.Equal(RelayOutcome.Ok, await large.SendAsync(new byte[quarter], 0, "peer"));

        var reply = fixture.Grains.GetGrain<IRelayGrain>("conn." + Guid.NewGuid().ToString("n"));
        await reply.ClaimAsync("owner", durable: false);
        Assert.Equal(RelayOutcome.Offline, await reply.SendAsync([1], 0, "peer"));
    }

    /// <summary>
    /// A connection's reply relay stores nothing: it holds what it pushed until acknowledged, a delivery window at most,
    /// and once its connection goes, it lets all of it go with its claim (no one can listen on it again).
    /// Fails if it held a whole mailbox (a peer filling reply relays it never acknowledges held 64 MiB each), or kept
    /// it, or its claim, after the disconnect.
    /// </summary>
    [Fact]
    public async Task A_reply_relay_holds_at_most_a_window_and_lets_it_go_with_its_claim_when_its_connection_goes()
    {
        var reply = fixture.Grains.GetGrain<IRelayGrain>("conn." + Guid.NewGuid().ToString("n"));
        await reply.ClaimAsync("owner", durable: false);
        var recorder = new RelayRecorder();
        var connection = fixture.Grains.CreateObjectReference<IRelayObserver>(recorder);
        Assert.Equal(RelayOutcome.Ok, await reply.ConnectAsync("owner", connection));

        var outcomes = new List<RelayOutcome>();
        for (var i = 0; i < ClusterFixture.RelayDeliveryWindow + 4; i++)
        {
            outcomes.Add(await reply.SendAsync([(byte)i], 0, "peer"));
        }

        Assert.Equal(ClusterFixture.RelayDeliveryWindow, outcomes.Count(o => o == RelayOutcome.Ok));
        Assert.Equal(RelayOutcome.MailboxFull, outcomes[^1]);
        Assert.Equal(ClusterFixture.RelayDeliveryWindow, (await reply.GetStatusAsync()).Queued);

        await reply.DisconnectAsync(connection);
        var gone = await reply.GetStatusAsync();
        Assert.Equal((null, 0, 0L), (gone.Owner, gone.Queued, gone.QueuedBytes));
        Assert.Equal(RelayOutcome.Unknown, await reply.SendAsync([1], 0, "peer"));
        Assert.Equal(RelayOutcome.Unknown, await reply.ConnectAsync("owner", connection));
    }

    [Fact]
    public async Task A_services_notification_is_pushed_live_to_a_connected_owner_and_never_stored()
    {
        var relay = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        await relay.ClaimAsync("owner", durable: true);

        // One notification while the owner is offline, one once it is connected, and a peer's message. (The client's
        // calls may take different gateways, so the first notification may land after the connection: then it is pushed.)
        await relay.NotifyAsync([1]);
        var recorder = new RelayRecorder();
        await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(recorder));
        await relay.NotifyAsync([3]);
        await relay.SendAsync([2], 0, "peer");
        var delivered = new List<RelayedMessage>();
        while (!delivered.Any(m => m.Envelope[0] == 2) || !delivered.Any(m => m.Envelope[0] == 3))
        {
            delivered.AddRange(await recorder.TakeAsync(1));
        }

        // The group's log is the durable copy: a notification is pushed as the service's, with the sequence nothing
        // acknowledges, and the mailbox holds the peer's message only.
        Assert.All(delivered.Where(m => m.Envelope[0] != 2), m => Assert.Equal((RelayOrigin.Service, Ockam.Messaging.Api.RelayDelivery.Unstored), (m.Origin, m.Sequence)));
        Assert.Equal(RelayOrigin.Peer, delivered.Single(m => m.Envelope[0] == 2).Origin);
        Assert.Equal(1, (await relay.GetStatusAsync()).Queued);
    }

    [Fact]
    public async Task A_mailbox_larger_than_the_window_is_pushed_in_pages_in_order_and_the_rest_follows_acknowledgements()
    {
        var relay = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        await relay.ClaimAsync("owner", durable: true);

        // 40 queued while the owner is away, every fifth one high priority: more than two windows, many pages.
        for (var i = 1; i <= 40; i++)
        {
            Assert.Equal(RelayOutcome.Ok, await relay.SendAsync([(byte)i], i % 5 == 0 ? (byte)1 : (byte)0, "peer"));
        }

        var high = Enumerable.Range(1, 40).Where(i => i % 5 == 0).ToList();
        var low = Enumerable.Range(1, 40).Where(i => i % 5 != 0).ToList();
        var recorder = new RelayRecorder();
        await relay.ConnectAsync("owner", fixture.Grains.CreateObjectReference<IRelayObserver>(recorder));

        // One window: the high-priority messages first, then the oldest others. Nothing more comes until acknowledged.
        var first = await recorder.TakeAsync(ClusterFixture.RelayDeliveryWindow);
        Assert.Equal(high.Concat(low.Take(8)), first.Select(m => (int)m.Envelope[0]));

        // A high-priority message sent now overtakes what is still queued, not what was delivered.
        Assert.Equal(RelayOutcome.Ok, await relay.SendAsync([41], 1, "peer"));
        Assert.Equal(RelayOutcome.Ok, await relay.AcknowledgeAsync("owner", [.. first.Select(m => m.Sequence)]));
        var second = await recorder.TakeAsync(ClusterFixture.RelayDeliveryWindow);
        Assert.Equal(low.Skip(8).Take(15).Prepend(41), second.Select(m => (int)m.Envelope[0]));

        Assert.Equal(RelayOutcome.Ok, await relay.AcknowledgeAsync("owner", [.. second.Select(m => m.Sequence)]));
        var rest = await recorder.TakeAsync(low.Count - 23);
        Assert.Equal(low.Skip(23), rest.Select(m => (int)m.Envelope[0]));
        Assert.Equal(RelayOutcome.Ok, await relay.AcknowledgeAsync("owner", [.. rest.Select(m => m.Sequence)]));
        Assert.Equal((0, 0L), ((await relay.GetStatusAsync()).Queued, (await relay.GetStatusAsync()).QueuedBytes));
    }

    [Fact]
    public async Task An_acknowledgement_of_no_sequence_or_of_more_than_the_bound_is_refused_and_one_of_many_deletes_them_together()
    {
        var relay = fixture.Grains.GetGrain<IRelayGrain>(Guid.NewGuid().ToString("n"));
        await relay.ClaimAsync("owner", durable: true);
        for (var i = 0; i < 3; i++)
        {
            await relay.SendAsync([(byte)i], 0, "peer");
        }

        var sequences = Enumerable.Range(1, Ockam.Messaging.Api.Operations.AcknowledgeRelayRequest.MaxSequences + 1).Select(i => (ulong)i).ToArray();
        Assert.Equal(RelayOutcome.Malformed, await relay.AcknowledgeAsync("owner", []));
        Assert.Equal(RelayOutcome.Malformed, await relay.AcknowledgeAsync("owner", sequences));
        Assert.Equal(3, (await relay.GetStatusAsync()).Queued);

        // At the bound, and naming sequences that were never stored (or were acknowledged already): those there go.
        Assert.Equal(RelayOutcome.Ok, await relay.AcknowledgeAsync("owner", sequences[..^1]));
        Assert.Equal(0, (await relay.GetStatusAsync()).Queued);
        Assert.Equal(RelayOutcome.NotOwner, await relay.AcknowledgeAsync("someone else", [1]));
    }
}
