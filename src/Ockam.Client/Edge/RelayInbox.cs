using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;

namespace Ockam.Client.Edge;

/// <summary>
/// Receives what the silo relays to this node: checks it came through the channel to the pinned silo,
/// acknowledges it (so the relay's mailbox lets it go), and routes the relayed message on, with a
/// return route back through the silo so that replies find the sender.
/// </summary>
/// <remarks>
/// The relayed message's route is the sender's choice, so the inbox is a producer: what a peer relayed goes
/// on with <see cref="Flow"/>, which only this node's end-to-end channels accept — never the channel to the
/// silo, its API client or anything that dials; what the service made (group deliveries) goes on with
/// <see cref="ServiceFlow"/>, which only the group inbox accepts.
/// <para>
/// Acknowledgements are batched: what arrives within <see cref="AcknowledgementDelay"/> of the first unsent one, up to
/// <see cref="AcknowledgeRelayRequest.MaxSequences"/> per relay, goes in one request, so that draining a full mailbox
/// costs a request per batch, and the relay (which holds back what is not yet acknowledged) is answered promptly.
/// </para>
/// </remarks>
internal sealed class RelayInbox(Identifier silo, Func<string, IReadOnlyList<ulong>, Task> acknowledge, TimeProvider time) : IWorker
{
    /// <summary>Senders given flows of their own; past this, further senders share one (nothing is ever taken back).</summary>
    private const int MaxSenders = 4096;

    /// <summary>How long an acknowledgement waits for others to share its request.</summary>
    private static readonly TimeSpan AcknowledgementDelay = TimeSpan.FromMilliseconds(5);

    private readonly Dictionary<string, FlowId> senders = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private Dictionary<string, List<ulong>> unacknowledged = new(StringComparer.Ordinal);
    private bool flushing;
    private FlowId? overflow;

    /// <summary>What peers relayed is sent on with a flow spawned from this one, one per sender.</summary>
    public FlowId Flow { get; } = FlowId.Create();

    public FlowId ServiceFlow { get; } = FlowId.Create();

    /// <summary>
    /// One flow per sender identity (the silo's relay hop names it, as the sender's channel proved it), so that a
    /// listener's per-flow bound limits each sender, not all of them together. A flow, once given, is kept: the
    /// sender's open channels accept only it.
    /// </summary>
    private FlowId SenderFlow(string sender)
    {
        if (senders.TryGetValue(sender, out var flow))
        {
            return flow;
        }

        if (senders.Count >= MaxSenders)
        {
            return overflow ??= FlowId.SpawnedFrom(Flow);
        }

        flow = FlowId.SpawnedFrom(Flow);
        senders[sender] = flow;
        return flow;
    }

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        if (message.AuthenticatedPeer?.Identifier != silo || message.ReturnRoute.IsEmpty)
        {
            return;
        }

        RelayDelivery delivery;
        Message inner;
        try
        {
            delivery = RelayDelivery.Decode(message.Payload);
            inner = delivery.Open();
            inner = new Message(inner.OnwardRoute, inner.ReturnRoute.Prepend(message.ReturnRoute.Next), inner.Payload);
        }
        catch (Exception e) when (e is OckamDecodeException or RoutingException)
        {
            return;
        }

        // At least once: a delivery that is lost before this acknowledgement comes again; the
        // end-to-end channel drops the duplicate. A group's live push was never stored: nothing to let go.
        if (delivery.Sequence != RelayDelivery.Unstored)
        {
            Acknowledge(delivery.Relay, delivery.Sequence);
        }

        try
        {
            await context.Node.SendAsync(inner, delivery.FromService ? ServiceFlow : SenderFlow(delivery.Sender), cancellationToken).ConfigureAwait(false);
        }
        catch (RoutingException)
        {
            // Nothing that accepts relayed messages listens at that address.
        }
    }

    private void Acknowledge(string relay, ulong sequence)
    {
        List<ulong>? full = null;
        lock (gate)
        {
            if (!unacknowledged.TryGetValue(relay, out var batch))
            {
                unacknowledged[relay] = batch = [];
            }

            batch.Add(sequence);
            if (batch.Count >= AcknowledgeRelayRequest.MaxSequences)
            {
                full = batch;
                unacknowledged.Remove(relay);
            }
            else if (!flushing)
            {
                flushing = true;
                _ = FlushLaterAsync();
            }
        }

        if (full is not null)
        {
            _ = SendAsync(relay, full);
        }
    }

    private async Task FlushLaterAsync()
    {
        await Task.Delay(AcknowledgementDelay, time).ConfigureAwait(false);
        Dictionary<string, List<ulong>> batches;
        lock (gate)
        {
            batches = unacknowledged;
            unacknowledged = new(StringComparer.Ordinal);
            flushing = false;
        }

        await Task.WhenAll(batches.Select(b => SendAsync(b.Key, b.Value))).ConfigureAwait(false);
    }

    private async Task SendAsync(string relay, List<ulong> sequences)
    {
        try
        {
            await acknowledge(relay, sequences).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EdgeException or TimeoutException or OperationCanceledException or RoutingException or ObjectDisposedException)
        {
            // Not acknowledged: the relay delivers those messages again when this node listens again, and the
            // end-to-end channel drops the duplicates.
        }
    }
}
