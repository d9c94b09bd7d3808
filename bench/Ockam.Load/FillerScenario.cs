using Ockam.Grains.Contracts;

namespace Ockam.Load;

/// <summary>
/// The filling side of the cross-traffic shape, run by <see cref="FillerProcess"/> in a process of its own against the
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
        FillerProcess.Say(FillerProcess.Filling);
        var fill = await OfflineScenario.FillAsync(pair, relay, depth, progress, Settings.Bound(TimeSpan.FromSeconds(25)), cancellationToken).ConfigureAwait(false);
        FillerProcess.Say(FillerProcess.FilledLine(fill));
    }
}
