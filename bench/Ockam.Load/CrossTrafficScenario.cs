namespace Ockam.Load;

/// <summary>
/// Another pair's round trip (a ping through the other's relay and the answer back through its own) while one
/// relay's mailbox fills for an offline phone, from another process (<see cref="FillerScenario"/> in a <see cref="ChildScenarioProcess"/>): one busy relay
/// should not slow anyone else.
/// </summary>
internal sealed class CrossTrafficScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public static string P99(int depth) => $"another pair's round trip p99 while a relay fills to {Figure.Count(depth)}";

    public static string P50(int depth) => $"another pair's round trip p50 while a relay fills to {Figure.Count(depth)}";

    public override string Name => "round trips beside a filling relay";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(90);

    /// <summary>How long the warm-up, and then the quiet baseline, ping before the fill.</summary>
    private static readonly TimeSpan QuietTime = TimeSpan.FromSeconds(2);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var depth = Settings.CrossFill;
        var (silo, fleet) = await SiloAsync(Math.Max(depth * 2, 10_000), cancellationToken).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        await using var pair = await PingPair.StartAsync(fleet, cancellationToken).ConfigureAwait(false);

        // A warm-up (the first round trips compile the path on both sides), the quiet baseline, then the same while a
        // relay fills from another process.
        await pair.PingAsync(0, Task.Delay(QuietTime, cancellationToken), cancellationToken).ConfigureAwait(false);
        var quiet = await pair.PingAsync(1_000_000, Task.Delay(QuietTime, cancellationToken), cancellationToken).ConfigureAwait(false);
        progress(0.2);
        // The filling monitor at the lowest priority, as the flood's flooder: a device on hardware of its own, whose sealing
        // (half a core at this rate) would otherwise be measured as the silo slowing the other pair.
        await using var filler = ChildScenarioProcess.Start("filler", Settings, silo, lowPriority: true);
        await filler.Started.WaitAsync(cancellationToken).ConfigureAwait(false);
        progress(0.4);
        var busy = await pair.PingAsync(2_000_000, filler.Ended, cancellationToken).ConfigureAwait(false);
        var (queued, fill) = FillerScenario.Read(await filler.Ended.ConfigureAwait(false));

        var note = $"the fill (another process, at the lowest priority): {queued} queued, {fill}; {busy.Times.Count} round trips during the fill ({PingPair.Pace}), {busy.Lost} lost (counted as {PingPair.Bound.TotalSeconds:F0} s); "
            + $"quiet: p50 {Percentiles.Of(quiet.Times, 0.50):F1} ms, p99 {Percentiles.Of(quiet.Times, 0.99):F1} ms over {quiet.Times.Count}";
        Results.Ours(P50(depth), new Figure(Percentiles.Of(busy.Times, 0.50), "ms"));
        Results.Ours(P99(depth), new Figure(Percentiles.Of(busy.Times, 0.99), "ms", note));
    }
}
