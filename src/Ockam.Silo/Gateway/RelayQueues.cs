using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;

namespace Ockam.Silo.Gateway;

/// <summary>
/// What the relay hop has accepted and not yet handed to its relays: one queue per relay, each drained in order by
/// a loop of its own, so a relay that is slow to take its messages holds up only its own queue. The loop hands over
/// everything its queue holds (up to <see cref="RelayedEnvelope.MaxBatch"/> messages and <see cref="RelayedEnvelope.MaxBatchBytes"/>)
/// in one call, and one call at a time: the relay stores them in one transaction, and their order never depends on how
/// calls to a relay on another silo overtake one another. Bounded in messages
/// and bytes per relay, per sender (so that one member's stuck relays cannot take the whole hop) and in all; a sender
/// that finds no room waits (in its own channel's receive side), never the hop, and never another relay's queue.
/// </summary>
internal sealed partial class RelayQueues(EdgeGatewayOptions limits, Func<string, RelayedEnvelope[], Task> handOver, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    private readonly Lock gate = new();
    private readonly Dictionary<string, Queue<RelayedEnvelope>> queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> queuedBytes = new(StringComparer.Ordinal);

    /// <summary>What each sender (identifier) has waiting or in a relay's hands, for its share of the hop.</summary>
    private readonly Dictionary<string, (int Messages, long Bytes)> bySender = new(StringComparer.Ordinal);
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
                var sender = bySender.GetValueOrDefault(entry.Sender);
                var fitsSender = sender.Messages == 0 || (sender.Messages < limits.RelaySenderMessages && sender.Bytes + size <= limits.RelaySenderBytes);
                if (fitsRelay && fitsAll && fitsSender)
                {
                    totalMessages++;
                    totalBytes += size;
                    queuedBytes[relay] = bytes + size;
                    bySender[entry.Sender] = (sender.Messages + 1, sender.Bytes + size);
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
            await HandOverAsync(relay, batch).ConfigureAwait(false);

            lock (gate)
            {
                long bytes = 0;
                foreach (var entry in batch)
                {
                    queue.Dequeue();
                    bytes += entry.Envelope.Length;
                    var (messages, senderBytes) = bySender[entry.Sender];
                    if (messages == 1)
                    {
                        bySender.Remove(entry.Sender);
                    }
                    else
                    {
                        bySender[entry.Sender] = (messages - 1, senderBytes - entry.Envelope.Length);
                    }
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

    /// <summary>
    /// Hands <paramref name="batch"/> over, trying again while the relay cannot take it (its database is away, its silo
    /// just died): the batch stays at the head of its queue, so order holds, and the queue's bounds make its senders
    /// wait meanwhile. A relay that stores twice (a write that committed and whose answer was lost) is harmless: the
    /// end-to-end channel's replay window and sealed mail's replay guard drop the copy. Given up, logged, only after
    /// <see cref="EdgeGatewayOptions.RelayHandOverPatience"/>, or when the gateway stops.
    /// </summary>
    private async Task HandOverAsync(string relay, RelayedEnvelope[] batch)
    {
        var delay = FirstRetryDelay;
        var started = time.GetTimestamp();
        for (var attempt = 1; !stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                await handOver(relay, batch).ConfigureAwait(false);
                if (attempt > 1)
                {
                    LogHandedOverAfterRetries(logger, relay, batch.Length, attempt);
                }

                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (time.GetElapsedTime(started) >= limits.RelayHandOverPatience)
                {
                    LogHandOverFailed(logger, e, relay, batch.Length, attempt);
                    return;
                }

                if (attempt == 1)
                {
                    LogHandOverRetrying(logger, e, relay, batch.Length);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await Task.Delay(delay, time, stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "handing {Count} messages to relay {Relay} failed; trying again (its senders wait meanwhile)")]
    private static partial void LogHandOverRetrying(ILogger logger, Exception exception, string relay, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "handed {Count} messages to relay {Relay} at attempt {Attempt}")]
    private static partial void LogHandedOverAfterRetries(ILogger logger, string relay, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "handing {Count} messages to relay {Relay} failed {Attempts} times; they are dropped")]
    private static partial void LogHandOverFailed(ILogger logger, Exception exception, string relay, int count, int attempts);
}
