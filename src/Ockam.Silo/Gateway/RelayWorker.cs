using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;
using Ockam.Silo.Telemetry;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The gateway's relay hop: a message routed <c>[..., "relay", name, rest...]</c> is handed to relay
/// <c>name</c> with its rest of route and a return route through the sender's reply relay. The payload
/// is whatever the sender's inner channel made of it: ciphertext the service stores and forwards.
/// <c>"relay.high"</c> does the same at high priority. <c>"relay.live"</c> (<see cref="RelayDelivery.LiveRelayAddress"/>)
/// hands it to the relay to push to its owner's live connection and never store, and routes the replies the same way:
/// a portal's stream, which its end-to-end channel keeps secret and its credit window keeps bounded.
/// </summary>
/// <remarks>
/// Started with no mailbox (<see cref="WorkerMailbox.None"/>): each sender's channel runs the checks itself and
/// puts the message in its relay's queue (<see cref="RelayQueues"/>), waiting there if that queue is full. Relays
/// take their messages concurrently, each in order and everything queued for it in one call (stored in one
/// transaction), so one relay that is slow to take its messages (an owner that does not read, a deep mailbox) holds
/// up its own senders, never another pair.
/// </remarks>
internal sealed partial class RelayWorker : IWorker, IDisposable
{
    public const string HighPriorityAddress = "relay.high";

    private readonly RelayRegistry registry;
    private readonly Policy senders;
    private readonly RequestRate storedRate;
    private readonly RequestRate liveRate;
    private readonly ILogger<RelayWorker> logger;
    private readonly RelayQueues queues;
    private readonly RelayQueues liveQueues;
    private readonly TimeSpan ratePatience;

    public RelayWorker(IGrainFactory grains, RelayRegistry registry, Policy senders, RequestRate storedRate, RequestRate liveRate, EdgeGatewayOptions limits, TimeProvider time, ILogger<RelayWorker> logger)
    {
        this.registry = registry;
        this.senders = senders;
        this.storedRate = storedRate;
        this.liveRate = liveRate;
        this.logger = logger;
        ratePatience = limits.RequestRatePatience;
        queues = new RelayQueues(limits, (relay, batch) => HandOverAsync(grains, relay, batch, live: false), time, logger);
        liveQueues = new RelayQueues(limits, (relay, batch) => HandOverAsync(grains, relay, batch, live: true), time, logger);
    }

    public void Dispose()
    {
        queues.Dispose();
        liveQueues.Dispose();
    }

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        if (message.AuthenticatedPeer is not { } peer || !senders.Allows(peer.ToPolicyInput().WithAction("operation", "relay")))
        {
            LogRefused(logger, "the sender is not a member");
            return;
        }

        if (message.ReturnRoute.IsEmpty)
        {
            LogRefused(logger, "no return route");
            return;
        }

        var onward = message.OnwardRoute;
        if (onward.Count < 2 || !onward[1].IsLocal)
        {
            LogRefused(logger, "no relay name");
            return;
        }

        var live = onward.Next.ValueText == RelayDelivery.LiveRelayAddress;
        var relay = onward[1].ValueText;

        // Relayed messages are paced per identity like requests: one sender cannot flood every relay. Stored and live
        // ones are counted apart, stored at a lower rate (each is a durable row); a reply to a connection's reply relay,
        // held in memory only, counts as live. A live message waits however long its turn takes (a dropped piece would
        // break its stream); any other that would wait past the patience is dropped (relayed sends are datagrams; a
        // sender that needs to know uses an end-to-end channel).
        var rate = live || relay.StartsWith(RelayRegistry.ReplyRelayPrefix, StringComparison.Ordinal) ? liveRate : storedRate;
        if (!await rate.WaitAsync(peer.Identifier, live ? TimeSpan.MaxValue : ratePatience, cancellationToken).ConfigureAwait(false))
        {
            LogRefused(logger, "the sender exceeded its rate");
            return;
        }

        var priority = onward.Next.ValueText == HighPriorityAddress ? (byte)1 : (byte)0;
        try
        {
            // In the sender's own flow, one message at a time per channel: its reply relay is made once, and its
            // messages enter their relay's queue in the order it sent them.
            var reply = await registry.ReplyRelayAsync(peer.Identifier, message.ReturnRoute.Next).WaitAsync(cancellationToken).ConfigureAwait(false);
            var back = message.ReturnRoute.Step().Prepend(Route.Of(Address.Local(live ? RelayDelivery.LiveRelayAddress : RelayDelivery.RelayAddress), Address.Local(reply)));
            var envelope = MessageCodec.Encode(new Message(onward.Step().Step(), back, message.Payload));
            await (live ? liveQueues : queues).EnqueueAsync(relay, new RelayedEnvelope(envelope, priority, peer.Identifier.ToString()), cancellationToken).ConfigureAwait(false);
        }
        catch (RoutingException e)
        {
            LogRefused(logger, e.Message);
        }
    }

    /// <summary>Hands <paramref name="batch"/> to its relay in one call; each message's outcome is its own (the sender hears none: a refusal is logged).</summary>
    private async Task HandOverAsync(IGrainFactory grains, string relay, RelayedEnvelope[] batch, bool live)
    {
        var grain = grains.GetGrain<IRelayGrain>(relay);
        var outcomes = await (live ? grain.SendLiveAsync(batch) : grain.SendBatchAsync(batch)).ConfigureAwait(false);
        SiloTelemetry.Relayed(batch, outcomes);
        foreach (var outcome in outcomes)
        {
            if (outcome != RelayOutcome.Ok)
            {
                LogNotRelayed(logger, outcome);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "relay refused a message: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "a message was not relayed: {Outcome}")]
    private static partial void LogNotRelayed(ILogger logger, RelayOutcome outcome);
}
