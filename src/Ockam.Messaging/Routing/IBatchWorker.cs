namespace Ockam.Messaging.Routing;

/// <summary>
/// A worker that takes everything its mailbox holds at once (up to <see cref="MaxBatch"/> messages), in order: a
/// connection writes them to its socket in one write, instead of one system call per message.
/// </summary>
internal interface IBatchWorker : IWorker
{
    /// <summary>Messages handed over at once, at most: the bound is the mailbox's, in count; the worker bounds its bytes.</summary>
    const int MaxBatch = 64;

    /// <summary>Handles <paramref name="messages"/> (one at least), in the order they arrived.</summary>
    ValueTask HandleMessagesAsync(WorkerContext context, IReadOnlyList<Message> messages, CancellationToken cancellationToken);
}
