using System.Diagnostics;
using Ockam.Client.Edge;

namespace Ockam.Load;

/// <summary>
/// Many enrolled devices connecting to the gateway at once (a TCP connection, the XX handshake with identity and credential
/// checks, one request: what each device pays after a silo restart), then holding their connections idle: handshakes per
/// second with the silo's and the devices' CPU per handshake, and the silo's managed heap and resident memory per idle
/// connection.
/// </summary>
internal sealed class ConnectionsScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public static string Rate(int n) => $"gateway handshakes, {Figure.Count(n)} devices reconnecting";

    public static string SiloCpu(int n) => $"gateway handshakes, {Figure.Count(n)} devices: silo CPU per handshake";

    public static string ClientCpu(int n) => $"gateway handshakes, {Figure.Count(n)} devices: devices' CPU per handshake";

    public static string Heap(int n) => $"{Figure.Count(n)} idle connections: silo managed heap per connection";

    public static string Resident(int n) => $"{Figure.Count(n)} idle connections: silo resident memory per connection";

    public override string Name => "connections";

    /// <summary>Enrolling the devices (about 30 ms of CPU each here) is most of it: 1 000 in quick mode.</summary>
    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(150);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var count = Settings.Connections;
        var (silo, fleet) = await SiloAsync(10_000, cancellationToken).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        var token = await fleet.TokenAsync(count, ("ockam.role", "device")).ConfigureAwait(false);

        // Set-up: every device enrolled, then offline; the silo keeps their identities and standing, not their connections.
        var devices = new EdgeNode[count];
        var setUp = Stopwatch.StartNew();
        var enrolled = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), Concurrently(cancellationToken), async (i, ct) =>
        {
            devices[i] = await fleet.OpenAsync(fleet.Tagged($"c{i}"), ct).ConfigureAwait(false);
            await devices[i].EnrollAsync(token, ct).ConfigureAwait(false);
            await devices[i].GoOfflineAsync().ConfigureAwait(false);
            progress(0.6 * Interlocked.Increment(ref enrolled) / count);
        }).ConfigureAwait(false);
        setUp.Stop();

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        var heapBefore = await HeapAsync(silo, cancellationToken).ConfigureAwait(false);
        var residentBefore = silo.ResidentBytes;

        using var self = Process.GetCurrentProcess();
        var siloCpu = silo.CpuTime;
        var clientCpu = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var connected = 0;
        await Parallel.ForEachAsync(devices, Concurrently(cancellationToken), async (device, ct) =>
        {
            await device.PingAsync(ct).ConfigureAwait(false);
            progress(0.6 + (0.3 * Interlocked.Increment(ref connected) / count));
        }).ConfigureAwait(false);
        clock.Stop();
        var siloSpent = silo.CpuTime - siloCpu;
        self.Refresh();
        var clientSpent = self.TotalProcessorTime - clientCpu;

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        var heapAfter = await HeapAsync(silo, cancellationToken).ConfigureAwait(false);
        var residentAfter = silo.ResidentBytes;

        var concurrency = $"{Settings.EnrolmentConcurrency} at a time, client and silo on the same cores; set-up (enrol all, then offline) {Seconds(setUp.Elapsed)}";
        Results.Ours(Rate(count), new Figure(count / clock.Elapsed.TotalSeconds, "handshakes/s", concurrency));
        if (siloSpent is { } s)
        {
            Results.Ours(SiloCpu(count), new Figure(s.TotalMilliseconds / count, "ms"));
        }

        Results.Ours(ClientCpu(count), new Figure(clientSpent.TotalMilliseconds / count, "ms", "the tool's own bookkeeping included"));
        Results.Ours(Heap(count), heapBefore is { } hb && heapAfter is { } ha
            ? new Figure((ha - hb) / 1024.0 / count, "KiB", $"live objects (dotnet-gcdump) {hb / 1048576.0:F1} MiB with every device offline, {ha / 1048576.0:F1} MiB with all connected")
            : Figure.DidNotComplete("KiB", "dotnet-gcdump is not installed (dotnet tool install -g dotnet-gcdump)"));
        if (residentBefore is { } rb && residentAfter is { } ra)
        {
            Results.Ours(Resident(count), new Figure((ra - rb) / 1024.0 / count, "KiB", "VmRSS; memory the silo held from the devices' enrolment connections is reused first, so this is a lower bound"));
        }

        progress(1);
    }

    private ParallelOptions Concurrently(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Settings.EnrolmentConcurrency, CancellationToken = cancellationToken };

    /// <summary>The silo's live managed heap, from a heap dump (which collects first); null without dotnet-gcdump or a pid.</summary>
    private static async Task<long?> HeapAsync(SiloProcess silo, CancellationToken cancellationToken)
    {
        var tool = new[] { Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump") }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet-gcdump")))
            .FirstOrDefault(File.Exists);
        if (tool is null || silo.Pid is not { } pid)
        {
            return null;
        }

        var dump = Path.Combine(Path.GetTempPath(), $"ockam-load-{pid}-{Guid.NewGuid():N}.gcdump");
        try
        {
            if (await RunAsync(tool, ["collect", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", dump], cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }

            // The report's first line: "     21,889,414  GC Heap bytes".
            var report = await RunAsync(tool, ["report", dump], cancellationToken).ConfigureAwait(false);
            var line = report?.Split('\n').FirstOrDefault(l => l.Contains("GC Heap bytes", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Replace("GC Heap bytes", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(dump);
        }
    }

    private static async Task<string?> RunAsync(string tool, string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info);
        if (process is null)
        {
            return null;
        }

        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode == 0 ? await output.ConfigureAwait(false) : null;
    }
}
