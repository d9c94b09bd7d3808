namespace Ockam.Load;

/// <summary>One measured shape: runs bounded in count and time, records its figures, reports progress in [0, 1].</summary>
internal abstract class Scenario(LoadSettings settings, Results results)
{
    protected LoadSettings Settings => settings;

    protected Results Results => results;

    public abstract string Name { get; }

    /// <summary>
    /// The most the whole scenario, set-up included, may take in quick mode (longer modes scale it): one that runs out is
    /// reported as not completed and the run goes on. The budgets are bounds on what goes wrong, not estimates: they add
    /// up to more than the quick run takes (about 4 minutes with run.sh's other parts, bench/RESULTS.md).
    /// </summary>
    public abstract TimeSpan QuickBudget { get; }

    public abstract Task RunAsync(Action<double> progress, CancellationToken cancellationToken);

    /// <summary>A silo for this scenario: a fresh process (or the one connected to), and a fleet of nodes in fresh homes (under <paramref name="homesRoot"/>, else the work directory).</summary>
    protected async Task<(SiloProcess Silo, Fleet Fleet)> SiloAsync(int mailboxCapacity, CancellationToken cancellationToken, bool productionRates = false, string? homesRoot = null)
    {
        var silo = settings.Connect is { } c
            ? await SiloProcess.ConnectAsync(c.Edge, Ockam.Identity.Identities.Identifier.Parse(c.Identifier), c.GatewayPort, c.ServiceId, c.Pid, cancellationToken).ConfigureAwait(false)
            : await SiloProcess.StartAsync(settings.SiloDll, settings.WorkDirectory, mailboxCapacity, cancellationToken, productionRates).ConfigureAwait(false);
        var homes = Path.Combine(homesRoot ?? settings.WorkDirectory, "homes-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(homes);
        return (silo, new Fleet(silo, homes));
    }

    /// <summary>Where the scenario's devices keep their files, for a figure's note (<see cref="LoadSettings.DeviceHomes"/>).</summary>
    protected string Homes => Settings.DeviceHomes is null ? "devices' homes on the silo's disk" : "devices' homes apart from the silo's disk";

    /// <summary>A token cancelled after <paramref name="bound"/> or with <paramref name="outer"/>.</summary>
    protected static CancellationTokenSource Within(TimeSpan bound, CancellationToken outer)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        source.CancelAfter(bound);
        return source;
    }

    protected static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + " s";
}
