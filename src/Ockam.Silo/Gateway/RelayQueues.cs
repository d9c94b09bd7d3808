using Microsoft.Extensions.Logging;

namespace Ockam.Silo.Gateway;

/// <summary>
/// What the relay hop has accepted and not yet handed to its relays: one lane per relay, each handing its messages
/// over in order, so a relay that is slow to take its messages holds up only its own lane. Bounded in messages and
/// bytes per relay and in all; a sender that finds no room waits (in its own channel's receive side), never the hop,
/// and never another relay's lane.
/// </summary>
/// <remarks>
/// A lane keeps up to <see cref="EdgeGatewayOptions.RelayHandOversInFlight"/> hand-overs on their way at once rather
/// than awaiting each: one at a time, a relay took one message per round trip to its grain (and per commit of its
/// store), which bounded a busy pair at a few hundred messages a second while the silo idled. Hand-overs are issued by
/// one caller at a time per lane, in the order the messages were queued, so the relay receives them in that order; a
/// lane's first hand-over goes alone, since calls to a grain Orleans has not yet addressed can overtake each other
/// (a cluster test saw the 31st reading of a burst arrive first).
/// </remarks>
internal sealed partial class RelayQueues(EdgeGatewayOptions limits, Func<string, RelayQueues.Entry, Task> handOver, ILogger logger) : IDisposable
{
    private readonly int handOversInFlight = limits.RelayHandOversInFlight >= 1
        ? limits.RelayHandOversInFlight
        : throw new ArgumentOutOfRangeException(nameof(limits), "RelayHandOversInFlight is at least 1: with none, no message would ever leave the gateway");

    private readonly Lock gate = new();
    private readonly Dictionary<string, Lane> lanes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private TaskCompletionSource room = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int totalMessages;
    private long totalBytes;

    /// <summary>Relays with messages waiting or on their way now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return lanes.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="entry"/> for <paramref name="relay"/>, after what was queued for it before; waits while there is no room.</summary>
    public async ValueTask EnqueueAsync(string relay, Entry entry, CancellationToken cancellationToken)
    {
        var size = entry.Envelope.Length;
        while (true)
        {
            Task wait = Task.CompletedTask;
            Lane? lane;
            lock (gate)
            {
                lanes.TryGetValue(relay, out lane);

                // Bounds in messages and bytes, counting those on their way; an empty lane (or an empty hop) takes one
                // message of any size the frame allowed.
                var fitsRelay = lane is null || (lane.Messages < limits.RelayQueueMessages && lane.Bytes + size <= limits.RelayQueueBytes);
                var fitsAll = totalMessages == 0 || (totalMessages < limits.RelayQueuesMessages && totalBytes + size <= limits.RelayQueuesBytes);
                if (fitsRelay && fitsAll)
                {
                    totalMessages++;
                    totalBytes += size;
                    if (lane is null)
                    {
                        lanes[relay] = lane = new Lane(relay);
                    }

                    lane.Waiting.Enqueue(entry);
                    lane.Bytes += size;
                    if (lane.Issuing)
                    {
                        return;
                    }

                    lane.Issuing = true;
                }
                else
                {
                    wait = room.Task;
                    lane = null;
                }
            }

            if (lane is not null)
            {
                // This caller issues the lane's hand-overs now; each is only started here, never awaited.
                Issue(lane);
                return;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the lanes; what is still waiting is dropped, as a stopping worker's mailbox is.</summary>
    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }

    /// <summary>Starts the lane's waiting hand-overs, in order, while it has room on the way; only the lane's issuer calls this.</summary>
    private void Issue(Lane lane)
    {
        while (true)
        {
            Entry entry;
            lock (gate)
            {
                if (lane.Waiting.Count == 0 || lane.InFlight >= (lane.Addressed ? handOversInFlight : 1))
                {
                    lane.Issuing = false;
                    return;
                }

                entry = lane.Waiting.Dequeue();
                lane.InFlight++;
            }

            Task handing;
            try
            {
                handing = stopping.IsCancellationRequested ? Task.CompletedTask : handOver(lane.Relay, entry);
            }
            catch (Exception e)
            {
                handing = Task.FromException(e);
            }

            // Completion may run here, inline: it sees this caller still issuing and leaves the lane to it.
            handing.ContinueWith((done, state) => HandedOver((Lane)state!, entry, done), lane, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void HandedOver(Lane lane, Entry entry, Task done)
    {
        if (done.Exception?.InnerException is { } failure and not OperationCanceledException)
        {
            LogHandOverFailed(logger, failure, lane.Relay);
        }

        bool resume;
        lock (gate)
        {
            // Counted until handed over: the bounds cover the messages in a relay's hands as well as those waiting.
            lane.InFlight--;
            lane.Bytes -= entry.Envelope.Length;
            lane.Addressed |= done.IsCompletedSuccessfully;
            totalMessages--;
            totalBytes -= entry.Envelope.Length;
            var freed = room;
            room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            freed.SetResult();
            if (lane.Messages == 0)
            {
                lanes.Remove(lane.Relay);
                return;
            }

            resume = !lane.Issuing && lane.Waiting.Count > 0;
            lane.Issuing |= resume;
        }

        if (resume)
        {
            Issue(lane);
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

    /// <summary>One relay's messages at the gateway: those waiting, in order, and those handed over and not yet taken.</summary>
    private sealed class Lane(string relay)
    {
        public string Relay => relay;

        public Queue<Entry> Waiting { get; } = new();

        public int InFlight { get; set; }

        public long Bytes { get; set; }

        /// <summary>
        /// A hand-over has reached the relay's grain: Orleans knows where it lives. Until then the lane hands over one at
        /// a time, because calls that wait to be addressed (the grain not yet placed, or on another silo) may reach it in
        /// any order; once addressed, one caller's calls reach it in the order they were made.
        /// </summary>
        public bool Addressed { get; set; }

        /// <summary>A caller is starting this lane's hand-overs: no other may, so that they start in queue order.</summary>
        public bool Issuing { get; set; }

        public int Messages => Waiting.Count + InFlight;
    }
}
