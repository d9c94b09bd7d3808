using System.Globalization;
using Ockam.Grains.Contracts;

namespace Ockam.Load;

/// <summary>
/// The filling side of the cross-traffic shape, run by <see cref="ChildScenarioProcess"/> in a process of its own against the
/// parent's silo: a phone and a monitor, the phone offline, then readings for it as fast as the silo takes them. Its
/// marker lines on standard output tell the parent when the fill starts and how it ended.
/// </summary>
internal sealed class FillerScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public override string Name => "filling a relay (for the cross-traffic shape)";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(60);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var depth = Settings.CrossFill;
        var (silo, fleet) = await SiloAsync(depth, cancellationToken).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        var pair = await fleet.PairAsync("phone", "monitor", cancellationToken).ConfigureAwait(false);
        var relay = silo.Grains.GetGrain<IRelayGrain>(pair.Relay);
        await OfflineScenario.GoOfflineAsync(pair, relay, cancellationToken).ConfigureAwait(false);
        ChildScenarioProcess.SayStarted();
        var fill = await OfflineScenario.FillAsync(pair, relay, depth, progress, Settings.Bound(TimeSpan.FromSeconds(25)), cancellationToken).ConfigureAwait(false);
        ChildScenarioProcess.SayEnded(Ended(fill));
    }

    /// <summary>"queued figure": how many the relay took, and the fill's rate (or that it did not complete) with its note.</summary>
    private static string Ended(OfflineScenario.Filled fill) =>
        string.Create(CultureInfo.InvariantCulture, $"{fill.Queued} {(fill.Figure.Value is { } rate ? $"{rate:F0} msg/s" : "did not complete")} ({fill.Figure.Note})");

    /// <summary>The parent's reading of <see cref="Ended"/>.</summary>
    public static (int Queued, string Figure) Read(string ended)
    {
        var space = ended.IndexOf(' ', StringComparison.Ordinal);
        return (int.Parse(ended[..space], CultureInfo.InvariantCulture), ended[(space + 1)..]);
    }
}
