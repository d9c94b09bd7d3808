using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;

namespace Ockam.Silo.Gateway;

/// <summary>
/// A relay owner's live connection on this silo: what the relay pushes goes down the owner's secure
/// channel to its <c>relay-inbox</c>. If the channel is gone, delivery fails and the relay keeps the messages.
/// </summary>
internal sealed class RelayObserver(Node node, Address channel) : IRelayObserver
{
    private readonly Route inbox = Route.Of(channel, Address.Local(RelayDelivery.InboxAddress));

    public Address Channel => channel;

    public async Task DeliverAsync(string relay, IReadOnlyList<RelayedMessage> messages)
    {
        foreach (var message in messages)
        {
            await node.SendAsync(new Message(inbox, Route.Empty, new RelayDelivery(relay, message.Sequence, message.Envelope, message.Origin == RelayOrigin.Service, message.Sender ?? string.Empty).Encode())).ConfigureAwait(false);
        }
    }
}
