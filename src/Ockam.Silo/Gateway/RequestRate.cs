using System.Collections.Concurrent;
using Ockam.Messaging.Routing;

namespace Ockam.Silo.Gateway;

/// <summary>
/// A token bucket per channel: each may send <see cref="Burst"/> requests at once and <see cref="PerSecond"/>
/// a second after that, so one flooding peer cannot take the gateway's (and the grains') time from the others.
/// </summary>
internal sealed class RequestRate(double perSecond, int burst, TimeProvider time)
{
    private const int PruneEvery = 1024;
    private static readonly TimeSpan Forgotten = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<Address, Bucket> buckets = new();
    private int added;

    public double PerSecond => perSecond;

    public int Burst => burst;

    /// <summary>Takes one request's token from <paramref name="channel"/>'s bucket; false when it is empty.</summary>
    public bool TryTake(Address channel)
    {
        var now = time.GetTimestamp();
        var bucket = buckets.GetOrAdd(channel, _ =>
        {
            if (Interlocked.Increment(ref added) % PruneEvery == 0)
            {
                Prune(now);
            }

            return new Bucket(burst, now);
        });
        lock (bucket)
        {
            var refill = time.GetElapsedTime(bucket.Updated, now).TotalSeconds * perSecond;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + refill);
            bucket.Updated = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    /// <summary>Channels that closed leave buckets behind; those unused for minutes go.</summary>
    private void Prune(long now)
    {
        foreach (var (channel, bucket) in buckets)
        {
            if (time.GetElapsedTime(bucket.Updated, now) > Forgotten)
            {
                buckets.TryRemove(new KeyValuePair<Address, Bucket>(channel, bucket));
            }
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens { get; set; } = tokens;

        public long Updated { get; set; } = updated;
    }
}
