using System.Collections.Concurrent;
using Ockam.Identity.Identities;

namespace Ockam.Silo.Gateway;

/// <summary>
/// A token bucket per identity: each may send <see cref="Burst"/> requests at once and <see cref="PerSecond"/>
/// a second after that, so one flooding peer cannot take the gateway's (and the grains') time from the others. Per
/// identity, not per channel: an enrolled identity is what an attacker cannot make more of, and channels are (up to
/// <see cref="EdgeGatewayOptions.MaxChannelsPerConnection"/> on each of as many connections as it opens). A stranger
/// making a fresh identity per channel gets one bucket per channel, no more than before.
/// </summary>
internal sealed class RequestRate(double perSecond, int burst, TimeProvider time)
{
    private const int PruneEvery = 1024;
    private static readonly TimeSpan Forgotten = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<Identifier, Bucket> buckets = new();
    private int added;

    public double PerSecond => perSecond;

    public int Burst => burst;

    /// <summary>Takes one request's token from <paramref name="peer"/>'s bucket; false when it is empty.</summary>
    public bool TryTake(Identifier peer)
    {
        var now = time.GetTimestamp();
        var bucket = buckets.GetOrAdd(peer, _ =>
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

    /// <summary>Peers that went away leave buckets behind; those unused for minutes go.</summary>
    private void Prune(long now)
    {
        foreach (var (peer, bucket) in buckets)
        {
            if (time.GetElapsedTime(bucket.Updated, now) > Forgotten)
            {
                buckets.TryRemove(new KeyValuePair<Identifier, Bucket>(peer, bucket));
            }
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens { get; set; } = tokens;

        public long Updated { get; set; } = updated;
    }
}
