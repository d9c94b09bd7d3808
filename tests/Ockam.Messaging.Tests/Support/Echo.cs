using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Tests.Support;

/// <summary>Answers every message with its own payload, along the return route.</summary>
internal sealed class Echo : IWorker
{
    public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) =>
        context.SendAsync(message.Reply(message.Payload, Route.Of(context.Address)), cancellationToken);
}
