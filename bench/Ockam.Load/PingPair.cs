using Ockam.Client.Edge;
using Ockam.Identity.Policies;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Load;

/// <summary>
/// Two nodes that each own a relay and hold an end-to-end channel through the other's: <c>ping</c> sends, <c>pong</c>
/// echoes back. Their round trips are what "another client" sees while a scenario loads the silo.
/// </summary>
internal sealed class PingPair : IAsyncDisposable
{
    /// <summary>A round trip starts this often.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    private readonly EdgeNode ping;
    private readonly SecureChannel toPong;
    private readonly CancellationTokenSource stop;
    private readonly Task echo;

    private PingPair(EdgeNode ping, SecureChannel toPong, CancellationTokenSource stop, Task echo) =>
        (this.ping, this.toPong, this.stop, this.echo) = (ping, toPong, stop, echo);

    /// <summary>How long a round trip may take before it counts as lost.</summary>
    public static TimeSpan Bound { get; } = TimeSpan.FromSeconds(30);

    public static string Pace => $"one sent every {Interval.TotalMilliseconds:F0} ms";

    public static async Task<PingPair> StartAsync(Fleet fleet, CancellationToken cancellationToken)
    {
        var peers = Policy.Parse("(= subject.ockam.role \"peer\")");
        var a = await fleet.EnrolledAsync("ping", relay: true, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);
        var b = await fleet.EnrolledAsync("pong", relay: true, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);
        foreach (var (node, name) in new[] { (a, "ping"), (b, "pong") })
        {
            await node.AcceptAsync(peers, cancellationToken).ConfigureAwait(false);
            await node.ListenAsync(fleet.Tagged(name), cancellationToken).ConfigureAwait(false);
        }

        var toB = await a.ConnectAsync(fleet.Tagged("pong"), peers, cancellationToken).ConfigureAwait(false);
        var toA = await b.ConnectAsync(fleet.Tagged("ping"), peers, cancellationToken).ConfigureAwait(false);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var echo = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var received = await b.ReceiveAsync(stop.Token).ConfigureAwait(false);
                await b.SendAsync(toA, received.Payload, stop.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);
        return new PingPair(a, toB, stop, echo);
    }

    /// <summary>
    /// Round trips, one sent every <see cref="Interval"/> whether or not the last came back, numbered from
    /// <paramref name="first"/>, until <paramref name="until"/> completes; then waits for their answers, each at most
    /// <see cref="Bound"/>. Sent on a clock rather than one after another: a stall shows in every round trip it holds
    /// up, not in one (and the count does not fall as they slow down). Lost ones count as <see cref="Bound"/>.
    /// </summary>
    public async Task<(List<double> Times, int Lost)> PingAsync(long first, Task until, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        var sent = first;
        var sending = Task.Run(async () =>
        {
            using var clock = new PeriodicTimer(Interval);
            while (!until.IsCompleted)
            {
                await ping.SendAsync(toPong, Reading.Create(sent), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref sent);
                await Task.WhenAny(clock.WaitForNextTickAsync(cancellationToken).AsTask(), until).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        // Answers to earlier pings (of an earlier phase) are skipped; each of these comes back once (the channel drops replays).
        var answered = new HashSet<long>();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var arming = sending.ContinueWith(_ => bound.CancelAfter(Bound), TaskScheduler.Default);
        Task<Received>? receiving = null;
        try
        {
            while (!sending.IsCompleted || answered.Count < Interlocked.Read(ref sent) - first)
            {
                receiving ??= ping.ReceiveAsync(bound.Token).AsTask();
                if (!sending.IsCompleted)
                {
                    // Sending may stop with every answer already in: a receive that went on waiting then waited the whole
                    // bound for an answer that was never due, and three phases of that overran the scenario's budget.
                    await Task.WhenAny(receiving, sending).ConfigureAwait(false);
                    if (!receiving.IsCompleted)
                    {
                        continue;
                    }
                }

                var answer = (await receiving.ConfigureAwait(false)).Payload;
                receiving = null;
                if (Reading.Sequence(answer.Span) >= first && answered.Add(Reading.Sequence(answer.Span)))
                {
                    times.Add(Reading.AgeMilliseconds(answer.Span));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The last answers did not come within the bound.
        }
        finally
        {
            // A receive left waiting would take the next phase's first answer: cancelled, it takes nothing.
            if (receiving is { IsCompleted: false })
            {
                await bound.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(receiving).ConfigureAwait(false);
            }
        }

        await sending.ConfigureAwait(false);
        await arming.ConfigureAwait(false);
        var lost = (int)(Interlocked.Read(ref sent) - first) - times.Count;
        times.AddRange(Enumerable.Repeat(Bound.TotalMilliseconds, lost));
        return (times, lost);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await echo.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }

        stop.Dispose();
    }
}
