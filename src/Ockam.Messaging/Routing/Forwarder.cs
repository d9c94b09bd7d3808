namespace Ockam.Messaging.Routing;

/// <summary>
/// A worker that sends whatever reaches it on along a fixed route: the way a node lets peers reach
/// a further node without letting them make it dial anywhere they like.
/// </summary>
public sealed class Forwarder(Route target) : IWorker
{
    public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(message);
        return context.SendAsync(message with { OnwardRoute = message.OnwardRoute.Step().Prepend(target) }, cancellationToken);
    }
}
