using Microsoft.Extensions.Logging;

namespace Ockam.Silo.Gateway;

/// <summary>
/// What the relay hop has accepted and not yet handed to its relays: one queue per relay, each drained in order by
/// a loop of its own, so a relay that is slow to take its messages holds up only its own queue. Bounded in messages
/// and bytes per relay and in all; a sender that finds no room waits (in its own channel's receive side), never
/// the hop, and never another relay's queue.
/// </summary>
internal sealed partial class RelayQueues(EdgeGatewayOptions limits, Func<string, RelayQueues.Entry, Task> handOver, ILogger logger) : IDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Queue<Entry>> queues = new(StringComparer.Ordinal);
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
    public async ValueTask EnqueueAsync(string relay, Entry entry, CancellationToken cancellationToken)
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

                    queue = new Queue<Entry>();
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

    private async Task DrainAsync(string relay, Queue<Entry> queue)
    {
        while (true)
        {
            Entry entry;
            lock (gate)
            {
                entry = queue.Peek();
            }

            // Counted until handed over: the bounds cover the messages in a relay's hands as well as those waiting.
            try
            {
                if (!stopping.IsCancellationRequested)
                {
                    await handOver(relay, entry).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHandOverFailed(logger, e, relay);
            }
            catch (OperationCanceledException)
            {
                // The gateway is stopping.
            }

            lock (gate)
            {
                queue.Dequeue();
                totalMessages--;
                totalBytes -= entry.Envelope.Length;
                var left = queuedBytes[relay] - entry.Envelope.Length;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "handing a message to relay {Relay} failed; it is dropped")]
    private static partial void LogHandOverFailed(ILogger logger, Exception exception, string relay);

    /// <summary>One relayed message as the relay takes it: the envelope, its priority and its proven sender.</summary>
    internal sealed class Entry(byte[] envelope, byte priority, string sender)
    {
        public byte[] Envelope => envelope;

        public byte Priority => priority;

        public string Sender => sender;
    }
}
