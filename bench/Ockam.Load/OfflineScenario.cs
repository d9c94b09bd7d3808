using System.Diagnostics;
using Ockam.Grains.Contracts;

namespace Ockam.Load;

/// <summary>
/// Readings for an offline phone: the rate at which its relay's mailbox fills to a depth (as the relay counts them),
/// then the rate at which it drains, in order, once the phone is back.
/// </summary>
internal sealed class OfflineScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public static string Enqueue(int depth) => $"offline: enqueue, {Figure.Count(depth)} queued";

    public static string Drain(int depth) => $"offline: drain of {Figure.Count(depth)} queued";

    public override string Name => "offline enqueue and drain";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(120);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var depths = Settings.OfflineDepths;
        for (var d = 0; d < depths.Length; d++)
        {
            var depth = depths[d];
            await RunAsync(depth, p => progress((d + p) / depths.Length), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(int depth, Action<double> progress, CancellationToken cancellationToken)
    {
        var (silo, fleet) = await SiloAsync(Math.Max(depth * 2, 10_000), cancellationToken).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        var pair = await fleet.PairAsync("phone", "monitor", cancellationToken).ConfigureAwait(false);
        var relay = silo.Grains.GetGrain<IRelayGrain>(pair.Relay);
        await GoOfflineAsync(pair, relay, cancellationToken).ConfigureAwait(false);

        var fill = await FillAsync(pair, relay, depth, p => progress(p / 2), Settings.Bound(TimeSpan.FromSeconds(depth <= 1_000 ? 30 : 25)), cancellationToken).ConfigureAwait(false);
        Results.Ours(Enqueue(depth), fill.Figure);
        if (fill.Queued == 0)
        {
            return;
        }

        // The phone comes back: everything queued is delivered, in order, and acknowledged.
        var clock = Stopwatch.StartNew();
        using var bound = Within(Settings.Bound(TimeSpan.FromSeconds(depth <= 1_000 ? 25 : 15)), cancellationToken);
        var received = 0;
        var disorder = 0;
        try
        {
            await pair.Phone.ReconnectAsync(bound.Token).ConfigureAwait(false);
            var expected = -1L;
            while (received < fill.Queued)
            {
                var reading = await pair.Phone.ReceiveAsync(bound.Token).ConfigureAwait(false);
                var sequence = Reading.Sequence(reading.Payload.Span);
                disorder += expected >= 0 && sequence != expected + 1 ? 1 : 0;
                expected = sequence;
                if (++received % 100 == 0)
                {
                    progress(0.5 + (received / (double)fill.Queued / 2));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or Client.Edge.EdgeException)
        {
            var left = await QueuedAsync(relay).ConfigureAwait(false);
            Results.Ours(Drain(depth), Figure.DidNotComplete("msg/s", $"{received} of {fill.Queued} read in {Seconds(clock.Elapsed)}; {left} still in the mailbox"));
            return;
        }

        var read = clock.Elapsed;

        // Drained means acknowledged too: the mailbox is empty.
        var remaining = await QueuedAsync(relay).ConfigureAwait(false);
        while (remaining != 0 && !bound.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            remaining = await QueuedAsync(relay).ConfigureAwait(false);
        }

        Results.Ours(Drain(depth), remaining == 0
            ? new Figure(fill.Queued / clock.Elapsed.TotalSeconds, "msg/s", $"{(fill.Queued < depth ? $"only the {fill.Queued} queued: " : "")}read in {read.TotalSeconds:F1} s, acknowledged in {clock.Elapsed.TotalSeconds:F1} s; {disorder} out of order")
            : Figure.DidNotComplete("msg/s", $"all {fill.Queued} read in {read.TotalSeconds:F1} s, but {(remaining < 0 ? "the relay did not answer for its depth" : remaining + " unacknowledged")} after {Seconds(clock.Elapsed)}"));
    }

    /// <summary>The phone drops its connection; returns once its relay no longer counts it online (what comes next is stored).</summary>
    internal static async Task GoOfflineAsync(Pair pair, IRelayGrain relay, CancellationToken cancellationToken)
    {
        await pair.Phone.GoOfflineAsync().ConfigureAwait(false);
        using var settling = Within(TimeSpan.FromSeconds(30), cancellationToken);
        while ((await relay.GetStatusAsync().WaitAsync(settling.Token).ConfigureAwait(false)).Online)
        {
            await Task.Delay(50, settling.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The relay's depth, or -1 when it does not answer within 10 s (busy writing).</summary>
    private static async Task<int> QueuedAsync(IRelayGrain relay)
    {
        try
        {
            return (await relay.GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false)).Queued;
        }
        catch (TimeoutException)
        {
            return -1;
        }
    }

    internal sealed record Filled(int Queued, Figure Figure);

    /// <summary>
    /// Sends <paramref name="depth"/> readings to an offline relay and waits until its mailbox holds them all (polled),
    /// within <paramref name="limit"/>; the rate, and how it moved from the first tenth to the last.
    /// </summary>
    internal static async Task<Filled> FillAsync(Pair pair, IRelayGrain relay, int depth, Action<double> progress, TimeSpan limit, CancellationToken cancellationToken)
    {
        var start = (await relay.GetStatusAsync().ConfigureAwait(false)).Queued;
        using var bound = Within(limit, cancellationToken);
        var clock = Stopwatch.StartNew();
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < depth; i++)
            {
                await pair.Monitor.SendAsync(pair.Channel, Reading.Create(i), bound.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);
        var queued = 0;

        // Polled counts: the first at a tenth or more, and the last short of nine tenths, so that each stretch's rate is
        // over at least one poll (the last tenth often lands within one, which timed alone read as millions a second).
        (TimeSpan At, int Queued)? firstPoll = null;
        (TimeSpan At, int Queued) lastShort = (TimeSpan.Zero, 0);
        try
        {
            while (queued < depth)
            {
                await Task.Delay(50, bound.Token).ConfigureAwait(false);
                queued = (await relay.GetStatusAsync().WaitAsync(bound.Token).ConfigureAwait(false)).Queued - start;
                firstPoll ??= queued >= depth / 10 ? (clock.Elapsed, queued) : null;
                lastShort = queued < depth - (depth / 10) ? (clock.Elapsed, queued) : lastShort;
                progress((double)queued / depth);
            }
        }
        catch (OperationCanceledException)
        {
            await Quietly(sending).ConfigureAwait(false);
            return new Filled(Math.Max(queued, 0), Figure.DidNotComplete("msg/s", $"{queued} queued in {Seconds(clock.Elapsed)} ({queued / clock.Elapsed.TotalSeconds:F0} msg/s{Curve(firstPoll, null, clock.Elapsed)})"));
        }

        var elapsed = clock.Elapsed;
        await Quietly(sending).ConfigureAwait(false);
        return new Filled(queued, new Figure(depth / elapsed.TotalSeconds, "msg/s", "as the relay counts them" + Curve(firstPoll, (lastShort.At, depth - lastShort.Queued), elapsed)));
    }

    /// <summary>
    /// The rate over the first tenth and over the last (as polled): flat when the cost does not grow with depth. Nothing
    /// when no poll fell short of nine tenths: the fill landed too fast for a curve.
    /// </summary>
    private static string Curve((TimeSpan At, int Queued)? firstPoll, (TimeSpan From, int Count)? last, TimeSpan end)
    {
        if (last is { From.Ticks: 0 })
        {
            return "";
        }

        var first = firstPoll is { } f ? $"; the first {f.Queued} at {f.Queued / f.At.TotalSeconds:F0} msg/s" : "";
        return last is { } l && end > l.From ? $"{first}, the last {l.Count} at {l.Count / (end - l.From).TotalSeconds:F0} msg/s" : first;
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or IOException)
        {
        }
    }
}
