using System.Threading.Channels;
using Ockam.Messaging.Routing;

namespace Ockam.Client.Edge;

/// <summary>The node's application inbox: what end-to-end channels deliver to "inbox", and what the sealed inbox opened.</summary>
internal sealed class InboxWorker : IWorker
{
    private readonly Channel<Received> received = Channel.CreateBounded<Received>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<Received> Reader => received.Reader;

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        // Only what came out of an end-to-end channel: plain messages have no proven sender.
        if (message.AuthenticatedPeer is { } peer)
        {
            await DeliverAsync(new Received(peer.Identifier, peer.Credentials, message.Payload, Sealed: false), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Hands on a message whose sender is proven: one in order with the live ones, for the same reader.</summary>
    public ValueTask DeliverAsync(Received message, CancellationToken cancellationToken) =>
        received.Writer.WriteAsync(message, cancellationToken);
}
