using System.Diagnostics;
using System.Globalization;

namespace Ockam.Load;

/// <summary>
/// A relay filled by another process of this tool (<see cref="FillerScenario"/>) against the same silo, as a busy
/// device is another machine: its encrypting and its garbage collections then take their turns on the cores beside the
/// measured pair's, as any other process's, rather than pausing the measured pair's own process. What is left to measure
/// is what the silo does to the others.
/// </summary>
internal sealed class FillerProcess : IAsyncDisposable
{
    public const string Filling = "filling";

    /// <summary>What a line for the parent starts with: the child's other output (its progress display) is not read.</summary>
    private const string Marker = "ockam-load-filler: ";

    private const string Filled = "filled ";

    private readonly Process process;
    private readonly TaskCompletionSource filling = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(int Queued, string Figure)> filled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FillerProcess(Process process)
    {
        this.process = process;
    }

    /// <summary>Completes when the relay is offline and the readings start.</summary>
    public Task FillStarted => filling.Task;

    /// <summary>How many the relay took, and the fill's figure as the child describes it (rate or what did not complete).</summary>
    public Task<(int Queued, string Figure)> FillEnded => filled.Task;

    /// <summary>Starts this tool again, running the filler against <paramref name="silo"/> in <paramref name="settings"/>' mode.</summary>
    public static FillerProcess Start(LoadSettings settings, SiloProcess silo)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            typeof(FillerProcess).Assembly.Location, "--scenario", "filler", "--mode", settings.Mode,
            "--work", Path.Combine(settings.WorkDirectory, "filler-" + Guid.NewGuid().ToString("N")[..8]),
            "--connect", silo.Edge, "--connect-identifier", silo.Identifier.ToString(),
            "--connect-gateway-port", silo.GatewayPort.ToString(CultureInfo.InvariantCulture), "--connect-service-id", silo.ServiceId,
        })
        {
            info.ArgumentList.Add(arg);
        }

        var filler = new FillerProcess(Process.Start(info) ?? throw new InvalidOperationException("the filler did not start"));
        filler.process.OutputDataReceived += (_, e) => filler.Line(e.Data);
        filler.process.ErrorDataReceived += (_, _) => { };
        filler.process.BeginOutputReadLine();
        filler.process.BeginErrorReadLine();
        return filler;
    }

    /// <summary>In the child: a line for the parent.</summary>
    public static void Say(string line) => Console.Out.WriteLine(Marker + line);

    public static string FilledLine(OfflineScenario.Filled fill) =>
        string.Create(CultureInfo.InvariantCulture, $"{Filled}{fill.Queued} {(fill.Figure.Value is { } rate ? $"{rate:F0} msg/s" : "did not complete")} ({fill.Figure.Note})");

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        process.Dispose();
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            filling.TrySetException(new InvalidOperationException("the filler exited before it started filling"));
            filled.TrySetException(new InvalidOperationException("the filler exited before it reported its fill"));
            return;
        }

        if (!line.StartsWith(Marker, StringComparison.Ordinal))
        {
            return;
        }

        var said = line[Marker.Length..];
        if (said == Filling)
        {
            filling.TrySetResult();
        }
        else if (said.StartsWith(Filled, StringComparison.Ordinal))
        {
            var rest = said[Filled.Length..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            filled.TrySetResult((int.Parse(rest[..space], CultureInfo.InvariantCulture), rest[(space + 1)..]));
        }
    }
}
