using Ockam.Messaging.Routing;

namespace Ockam.Silo.Tests.Support;

/// <summary>A worker that takes one message and never returns: its owner has stopped reading.</summary>
internal sealed class NeverReads : IWorker
{
    /// <summary>Completes when the first message has been taken.</summary>
    public TaskCompletionSource Taken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        Taken.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
