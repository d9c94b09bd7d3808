namespace Ockam.Messaging.Routing;

/// <summary>
/// Something that handles messages at one or more addresses of a <see cref="Node"/>. A worker gets its
/// messages one at a time, in order, from a bounded mailbox, so it needs no locks for its own state
/// (unless it is started with another <see cref="WorkerMailbox"/>).
/// A worker that is <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/> is disposed when it stops.
/// </summary>
public interface IWorker
{
    /// <summary>Handles one message; its onward route still starts with the address it was sent to.</summary>
    ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken);
}
