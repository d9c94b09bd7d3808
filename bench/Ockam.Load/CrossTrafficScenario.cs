using Ockam.Client.Edge;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Load;

/// <summary>
/// Another pair's round trip (a ping through the other's relay and the answer back through its own) while one
/// relay's mailbox fills for an offline phone, from another process (<see cref="FillerProcess"/>): one busy relay
/// should not slow anyone else.
/// </summary>
internal sealed class CrossTrafficScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public static string P99(int depth) => $"another pair's round trip p99 while a relay fills to {Figure.Count(depth)}";

    public static string P50(int depth) => $"another pair's round trip p50 while a relay fills to {Figure.Count(depth)}";

    public override string Name => "round trips beside a filling relay";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(90);

    /// <summary>A round trip starts this often.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a round trip may take before it counts as lost.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>How long the warm-up, and then the quiet baseline, ping before the fill.</summary>
    private static readonly TimeSpan QuietTime = TimeSpan.FromSeconds(2);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var depth = Settings.CrossFill;
        var (silo, fleet) = await SiloAsync(Math.Max(depth * 2, 10_000), cancellationToken).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;

        // The other pair: each owns a relay and has a channel through the other's.
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
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var echo = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var ping = await b.ReceiveAsync(stop.Token).ConfigureAwait(false);
                await b.SendAsync(toA, ping.Payload, stop.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        // A warm-up (the first round trips compile the path on both sides), the quiet baseline, then the same while a
        // relay fills from another process.
        await PingAsync(a, toB, 0, Task.Delay(QuietTime, cancellationToken), cancellationToken).ConfigureAwait(false);
        var quiet = await PingAsync(a, toB, 1_000_000, Task.Delay(QuietTime, cancellationToken), cancellationToken).ConfigureAwait(false);
        progress(0.2);
        await using var filler = FillerProcess.Start(Settings, silo);
        await filler.FillStarted.WaitAsync(cancellationToken).ConfigureAwait(false);
        progress(0.4);
        var busy = await PingAsync(a, toB, 2_000_000, filler.FillEnded, cancellationToken).ConfigureAwait(false);
        var (queued, fill) = await filler.FillEnded.ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await echo.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }

        var note = $"the fill (another process): {queued} queued, {fill}; {busy.Times.Count} round trips during the fill (one sent every {Interval.TotalMilliseconds:F0} ms), {busy.Lost} lost (counted as {Bound.TotalSeconds:F0} s); "
            + $"quiet: p50 {Percentiles.Of(quiet.Times, 0.50):F1} ms, p99 {Percentiles.Of(quiet.Times, 0.99):F1} ms over {quiet.Times.Count}";
        Results.Ours(P50(depth), new Figure(Percentiles.Of(busy.Times, 0.50), "ms"));
        Results.Ours(P99(depth), new Figure(Percentiles.Of(busy.Times, 0.99), "ms", note));
    }

    /// <summary>
    /// Round trips from <paramref name="a"/> over <paramref name="channel"/> (echoed back), one sent every
    /// <see cref="Interval"/> whether or not the last came back, until <paramref name="until"/> completes; then waits
    /// for their answers, each at most <see cref="Bound"/>. Sent on a clock rather than one after another: a stall
    /// shows in every round trip it holds up, not in one (and the count does not fall as they slow down).
    /// </summary>
    private static async Task<(List<double> Times, int Lost)> PingAsync(EdgeNode a, SecureChannel channel, long first, Task until, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        var sent = first;
        var sending = Task.Run(async () =>
        {
            using var clock = new PeriodicTimer(Interval);
            while (!until.IsCompleted)
            {
                await a.SendAsync(channel, Reading.Create(sent), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref sent);
                await Task.WhenAny(clock.WaitForNextTickAsync(cancellationToken).AsTask(), until).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        // Answers to earlier pings (of the quiet phase) are skipped; each of these comes back once (the channel drops replays).
        var answered = new HashSet<long>();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var arming = sending.ContinueWith(_ => bound.CancelAfter(Bound), TaskScheduler.Default);
        try
        {
            while (!sending.IsCompleted || answered.Count < Interlocked.Read(ref sent) - first)
            {
                var answer = (await a.ReceiveAsync(bound.Token).ConfigureAwait(false)).Payload.Span;
                if (Reading.Sequence(answer) >= first && answered.Add(Reading.Sequence(answer)))
                {
                    times.Add(Reading.AgeMilliseconds(answer));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The last answers did not come within the bound.
        }

        await sending.ConfigureAwait(false);
        await arming.ConfigureAwait(false);

        // Counted at its bound: a lost answer is at least as slow as that.
        var lost = (int)(Interlocked.Read(ref sent) - first) - times.Count;
        times.AddRange(Enumerable.Repeat(Bound.TotalMilliseconds, lost));
        return (times, lost);
    }
}
