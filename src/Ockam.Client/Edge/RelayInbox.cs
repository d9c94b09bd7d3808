using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Messaging.Api;
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
/// </remarks>
internal sealed class RelayInbox(Identifier silo, Func<string, ulong, Task> acknowledge) : IWorker
{
    /// <summary>Senders given flows of their own; past this, further senders share one (nothing is ever taken back).</summary>
    private const int MaxSenders = 4096;

    private readonly Dictionary<string, FlowId> senders = new(StringComparer.Ordinal);
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
            _ = acknowledge(delivery.Relay, delivery.Sequence);
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
}
