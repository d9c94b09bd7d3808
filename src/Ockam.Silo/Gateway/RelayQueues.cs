using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;

namespace Ockam.Silo.Gateway;

/// <summary>
/// What the relay hop has accepted and not yet handed to its relays: one queue per relay, each drained in order by
/// a loop of its own, so a relay that is slow to take its messages holds up only its own queue. The loop hands over
/// everything its queue holds (up to <see cref="RelayedEnvelope.MaxBatch"/> messages and <see cref="RelayedEnvelope.MaxBatchBytes"/>)
/// in one call, and one call at a time: the relay stores them in one transaction, and their order never depends on how
/// calls to a relay on another silo overtake one another. Bounded in messages
/// and bytes per relay and in all; a sender that finds no room waits (in its own channel's receive side), never
/// the hop, and never another relay's queue.
/// </summary>
internal sealed partial class RelayQueues(EdgeGatewayOptions limits, Func<string, RelayedEnvelope[], Task> handOver, ILogger logger) : IDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Queue<RelayedEnvelope>> queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> queuedBytes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private TaskCompletionSource room = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int totalMessages;
    private long totalBytes;

    /// <summary>Relays with messages waiting now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return queues.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="entry"/> for <paramref name="relay"/>, after what was queued for it before; waits while there is no room.</summary>
    public async ValueTask EnqueueAsync(string relay, RelayedEnvelope entry, CancellationToken cancellationToken)
    {
        var size = entry.Envelope.Length;
        while (true)
        {
            Task wait;
            lock (gate)
            {
                queues.TryGetValue(relay, out var queue);
                var bytes = queuedBytes.GetValueOrDefault(relay);

                // Bounds in messages and bytes; an empty queue (or an empty hop) takes one message of any size the frame allowed.
                var fitsRelay = queue is null || (queue.Count < limits.RelayQueueMessages && bytes + size <= limits.RelayQueueBytes);
                var fitsAll = totalMessages == 0 || (totalMessages < limits.RelayQueuesMessages && totalBytes + size <= limits.RelayQueuesBytes);
                if (fitsRelay && fitsAll)
                {
                    totalMessages++;
                    totalBytes += size;
                    queuedBytes[relay] = bytes + size;
                    if (queue is not null)
                    {
                        queue.Enqueue(entry);
                        return;
                    }

                    queue = new Queue<RelayedEnvelope>();
                    queue.Enqueue(entry);
                    queues[relay] = queue;
                    _ = Task.Run(() => DrainAsync(relay, queue), CancellationToken.None);
                    return;
                }

                wait = room.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the drains; what is still queued is dropped, as a stopping worker's mailbox is.</summary>
    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }

    private async Task DrainAsync(string relay, Queue<RelayedEnvelope> queue)
    {
        while (true)
        {
            RelayedEnvelope[] batch;
            lock (gate)
            {
                batch = Take(queue);
            }

            // Counted until handed over: the bounds cover the messages in a relay's hands as well as those waiting.
            try
            {
                if (!stopping.IsCancellationRequested)
                {
                    await handOver(relay, batch).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHandOverFailed(logger, e, relay, batch.Length);
            }
            catch (OperationCanceledException)
            {
                // The gateway is stopping.
            }

            lock (gate)
            {
                long bytes = 0;
                foreach (var entry in batch)
                {
                    queue.Dequeue();
                    bytes += entry.Envelope.Length;
                }

                totalMessages -= batch.Length;
                totalBytes -= bytes;
                var left = queuedBytes[relay] - bytes;
                var freed = room;
                room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                freed.SetResult();
                if (queue.Count == 0)
                {
                    queues.Remove(relay);
                    queuedBytes.Remove(relay);
                    return;
                }

                queuedBytes[relay] = left;
            }
        }
    }

    /// <summary>The head of <paramref name="queue"/> (left in it), up to one hand-over's bounds; the first whatever its size. Under the gate.</summary>
    private static RelayedEnvelope[] Take(Queue<RelayedEnvelope> queue)
    {
        var batch = new List<RelayedEnvelope>(Math.Min(queue.Count, RelayedEnvelope.MaxBatch));
        long bytes = 0;
        foreach (var entry in queue)
        {
            if (batch.Count == RelayedEnvelope.MaxBatch || (batch.Count > 0 && bytes + entry.Envelope.Length > RelayedEnvelope.MaxBatchBytes))
            {
                break;
            }

            batch.Add(entry);
            bytes += entry.Envelope.Length;
        }

        return [.. batch];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "handing {Count} messages to relay {Relay} failed; they are dropped")]
    private static partial void LogHandOverFailed(ILogger logger, Exception exception, string relay, int count);
}
