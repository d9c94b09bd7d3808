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
/// <remarks>
/// Past its burst a peer is paced, not refused: <see cref="WaitAsync"/> reserves the next token and holds the message
/// in its own channel's receive side until the token is due. The channel reads nothing more meanwhile, so the flood
/// backs up into the peer's TCP window and costs the gateway no decryption or answer; a refusal would cost both, for
/// every message past the rate. Only a wait longer than the caller's patience (many channels of one identity waiting at
/// once) is refused, and then nothing is reserved.
/// </remarks>
internal sealed class RequestRate(double perSecond, int burst, TimeProvider time)
{
    private const int PruneEvery = 1024;
    private static readonly TimeSpan Forgotten = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<Identifier, Bucket> buckets = new();
    private int added;

    public double PerSecond => perSecond;

    public int Burst => burst;

    /// <summary>
    /// Takes one token from <paramref name="peer"/>'s bucket, waiting until it is due; false, at once and with nothing
    /// taken, when it would be due later than <paramref name="patience"/> from now.
    /// </summary>
    public async ValueTask<bool> WaitAsync(Identifier peer, TimeSpan patience, CancellationToken cancellationToken)
    {
        if (Reserve(peer, patience) is not { } due)
        {
            return false;
        }

        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due, time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Reserves one token: how long until it is due, or null (nothing reserved) when that is past <paramref name="patience"/>.</summary>
    internal TimeSpan? Reserve(Identifier peer, TimeSpan patience)
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

            // Tokens below one are reservations already handed out: the next one is due when the bucket refills past them.
            var due = bucket.Tokens >= 1 ? 0 : (1 - bucket.Tokens) / perSecond;
            if (due > patience.TotalSeconds)
            {
                return null;
            }

            bucket.Tokens -= 1;
            return TimeSpan.FromSeconds(due);
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
