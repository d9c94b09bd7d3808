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
    public FlowId Flow { get; } = FlowId.Create();

    public FlowId ServiceFlow { get; } = FlowId.Create();

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
        // end-to-end channel drops the duplicate.
        _ = acknowledge(delivery.Relay, delivery.Sequence);
        try
        {
            await context.Node.SendAsync(inner, delivery.FromService ? ServiceFlow : Flow, cancellationToken).ConfigureAwait(false);
        }
        catch (RoutingException)
        {
            // Nothing that accepts relayed messages listens at that address.
        }
    }
}
