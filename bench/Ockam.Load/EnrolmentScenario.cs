using System.Diagnostics;
using Ockam.Client.Edge;

namespace Ockam.Load;

/// <summary>
/// Fresh devices enrolling (a new identity each, redeeming an operator's token over <c>secure</c>, then publishing its
/// group keys and KeyPackages as members do), a few at a time: the rate over the first and the last stretch, and the
/// silo's CPU time per enrolment over each (its process's, so client work on the same cores is not counted).
/// </summary>
internal sealed class EnrolmentScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public static string First(int n, int window) => $"enrolment of {Figure.Count(n)}: rate over the first {Figure.Count(window)}";

    public static string Last(int n, int window) => $"enrolment of {Figure.Count(n)}: rate over the last {Figure.Count(window)}";

    public static string CpuFirst(int n, int window) => $"enrolment of {Figure.Count(n)}: silo CPU per enrolment, first {Figure.Count(window)}";

    public static string CpuLast(int n, int window) => $"enrolment of {Figure.Count(n)}: silo CPU per enrolment, last {Figure.Count(window)}";

    public static string ClientCpuFirst(int n, int window) => $"enrolment of {Figure.Count(n)}: client CPU per enrolment, first {Figure.Count(window)}";

    public static string ClientCpuLast(int n, int window) => $"enrolment of {Figure.Count(n)}: client CPU per enrolment, last {Figure.Count(window)}";

    public override string Name => "enrolment";

    /// <summary>Set-up, the warm-up's bound, and the measured phase's: 45 s per quick run's 2 000 devices, per 2 500 in longer modes (which scale it further).</summary>
    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(30) + WarmUpBound + Measured;

    /// <summary>The most the uncounted enrolments may take (about 10 s at the rates measured here, 27 s with the homes on a busy disk).</summary>
    private static TimeSpan WarmUpBound => TimeSpan.FromSeconds(60);

    /// <summary>
    /// Devices enrolled before the measured ones, uncounted: until then both processes still compile (and tier up) the
    /// enrolment path. After 256 the first 1 000 still ran at half the rate of the last (the silo at 4.0 against 1.8 ms of
    /// CPU each): what that measured was the compiler, not the fleet's size.
    /// </summary>
    private const int WarmUp = 4_000;

    private TimeSpan Measured => TimeSpan.FromSeconds(45) * Math.Max(1, Settings.Enrolments / (Settings.Quick ? 2_000.0 : 2_500.0));

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var count = Settings.Enrolments;
        var window = Math.Min(1_000, count / 2);
        var (silo, fleet) = await SiloAsync(10_000, cancellationToken, homesRoot: Settings.DeviceHomes).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;

        // One operator token for the whole fleet: each device still redeems it for a credential of its own.
        var token = await fleet.TokenAsync(count, ("ockam.role", "device")).ConfigureAwait(false);
        await WarmUpAsync(fleet, cancellationToken).ConfigureAwait(false);
        var done = new TimeSpan[count];
        var cpu = new TimeSpan?[count + 1];
        var clientCpu = new TimeSpan[count + 1];
        using var self = Process.GetCurrentProcess();
        cpu[0] = silo.CpuTime;
        clientCpu[0] = self.TotalProcessorTime;
        var completed = 0;
        var next = -1;
        var failures = 0;
        using var bound = Within(Settings.Bound(Measured), cancellationToken);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Settings.EnrolmentConcurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && !bound.IsCancellationRequested)
            {
                try
                {
                    var node = await fleet.OpenAsync(fleet.Tagged($"d{i}"), bound.Token).ConfigureAwait(false);
                    try
                    {
                        await node.EnrollAsync(token, bound.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        await fleet.CloseAsync(node).ConfigureAwait(false);
                    }

                    lock (done)
                    {
                        done[completed] = clock.Elapsed;
                        completed++;
                        if (completed == window || completed == count - window || completed == count)
                        {
                            cpu[completed] = silo.CpuTime;
                            self.Refresh();
                            clientCpu[completed] = self.TotalProcessorTime;
                        }
                    }

                    if (completed % 20 == 0)
                    {
                        progress((double)completed / count);
                    }
                }
                catch (Exception e) when (e is EdgeException or TimeoutException or IOException)
                {
                    Interlocked.Increment(ref failures);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var failed = failures > 0 ? $"; {failures} failed" : "";
        if (completed < count)
        {
            Results.Ours(First(count, window), completed >= window
                ? new Figure(window / done[window - 1].TotalSeconds, "enrolments/s", $"{Settings.EnrolmentConcurrency} at a time{failed}")
                : Figure.DidNotComplete("enrolments/s", $"{completed} enrolled in {Seconds(clock.Elapsed)}{failed}"));
            Results.Ours(Last(count, window), Figure.DidNotComplete("enrolments/s", $"{completed} of {count} enrolled in {Seconds(clock.Elapsed)}{failed}"));
            return;
        }

        var firstTime = done[window - 1];
        var lastTime = done[count - 1] - done[count - window - 1];
        Results.Ours(First(count, window), new Figure(window / firstTime.TotalSeconds, "enrolments/s", $"{Settings.EnrolmentConcurrency} at a time after {WarmUp} uncounted, client and silo on the same cores, {Homes}{failed}"));
        // Every window in turn, so that a trend with the fleet's size shows (and what is only the first window's).
        var windows = string.Join(", ", Enumerable.Range(0, count / window).Select(w =>
            (window / (done[((w + 1) * window) - 1] - (w == 0 ? TimeSpan.Zero : done[(w * window) - 1])).TotalSeconds).ToString("F0", System.Globalization.CultureInfo.InvariantCulture)));
        Results.Ours(Last(count, window), new Figure(window / lastTime.TotalSeconds, "enrolments/s", $"last ÷ first = {firstTime / lastTime:F2}; all {count} in {clock.Elapsed.TotalSeconds:F0} s; per {Figure.Count(window)} in turn: {windows}"));
        if (cpu[0] is { } c0 && cpu[window] is { } cw && cpu[count - window] is { } cl && cpu[count] is { } ce)
        {
            Results.Ours(CpuFirst(count, window), new Figure((cw - c0).TotalMilliseconds / window, "ms"));
            Results.Ours(CpuLast(count, window), new Figure((ce - cl).TotalMilliseconds / window, "ms"));
        }

        // This process's: the load tool's own work (its progress display, the bookkeeping) is counted with the nodes'.
        Results.Ours(ClientCpuFirst(count, window), new Figure((clientCpu[window] - clientCpu[0]).TotalMilliseconds / window, "ms"));
        Results.Ours(ClientCpuLast(count, window), new Figure((clientCpu[count] - clientCpu[count - window]).TotalMilliseconds / window, "ms"));
    }

    private async Task WarmUpAsync(Fleet fleet, CancellationToken cancellationToken)
    {
        var token = await fleet.TokenAsync(WarmUp, ("ockam.role", "device")).ConfigureAwait(false);
        using var bound = Within(WarmUpBound, cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Settings.EnrolmentConcurrency, CancellationToken = bound.Token };
        await Parallel.ForEachAsync(Enumerable.Range(0, WarmUp), parallel, async (i, warming) =>
        {
            var node = await fleet.OpenAsync(fleet.Tagged($"warm{i}"), warming).ConfigureAwait(false);
            try
            {
                await node.EnrollAsync(token, warming).ConfigureAwait(false);
            }
            finally
            {
                await fleet.CloseAsync(node).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }
}
