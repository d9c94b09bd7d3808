using System.Diagnostics;
using System.Globalization;

namespace Ockam.Load;

/// <summary>
/// A load of another process of this tool (<see cref="FillerScenario"/>, <see cref="FlooderScenario"/>) against the
/// same silo, as a busy device is another machine: its encrypting and its garbage collections then take their turns on
/// the cores beside the measured pair's, as any other process's, rather than pausing the measured pair's own process.
/// What is left to measure is what the silo does to the others. The child tells the parent, in marker lines on standard
/// output, when its load starts and how it ended.
/// </summary>
internal sealed class ChildScenarioProcess : IAsyncDisposable
{
    /// <summary>What a line for the parent starts with: the child's other output (its progress display) is not read.</summary>
    private const string Marker = "ockam-load-child: ";

    private const string StartedLine = "started";

    private const string EndedLine = "ended ";

    private readonly Process process;
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildScenarioProcess(Process process)
    {
        this.process = process;
    }

    /// <summary>Completes when the child's load starts.</summary>
    public Task Started => started.Task;

    /// <summary>How the load ended, as the child said it (<see cref="SayEnded"/>).</summary>
    public Task<string> Ended => ended.Task;

    /// <summary>Starts this tool again, running internal scenario <paramref name="scenario"/> against <paramref name="silo"/> in <paramref name="settings"/>' mode.</summary>
    /// <param name="lowPriority">
    /// Run it at the lowest CPU priority (<c>nice -n 19</c>), standing in for a device on hardware of its own: what it
    /// spends on itself then does not take the cores the silo and the measured pair need on this shared machine.
    /// </param>
    public static ChildScenarioProcess Start(string scenario, LoadSettings settings, SiloProcess silo, bool lowPriority = false)
    {
        var info = new ProcessStartInfo(lowPriority ? "nice" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] priority = lowPriority ? ["-n", "19", "dotnet"] : [];
        foreach (var arg in (string[])
        [
            .. priority,
            typeof(ChildScenarioProcess).Assembly.Location, "--scenario", scenario, "--mode", settings.Mode,
            "--work", Path.Combine(settings.WorkDirectory, scenario + "-" + Guid.NewGuid().ToString("N")[..8]),
            "--connect", silo.Edge, "--connect-identifier", silo.Identifier.ToString(),
            "--connect-gateway-port", silo.GatewayPort.ToString(CultureInfo.InvariantCulture), "--connect-service-id", silo.ServiceId,
        ])
        {
            info.ArgumentList.Add(arg);
        }

        var child = new ChildScenarioProcess(Process.Start(info) ?? throw new InvalidOperationException($"the {scenario} process did not start"));
        child.process.OutputDataReceived += (_, e) => child.Line(e.Data);
        child.process.ErrorDataReceived += (_, _) => { };
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        return child;
    }

    /// <summary>In the child: its load starts now.</summary>
    public static void SayStarted() => Console.Out.WriteLine(Marker + StartedLine);

    /// <summary>In the child: how its load ended, one line.</summary>
    public static void SayEnded(string outcome) => Console.Out.WriteLine(Marker + EndedLine + outcome);

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
            started.TrySetException(new InvalidOperationException("the child exited before its load started"));
            ended.TrySetException(new InvalidOperationException("the child exited before it said how its load ended"));
            return;
        }

        if (!line.StartsWith(Marker, StringComparison.Ordinal))
        {
            return;
        }

        var said = line[Marker.Length..];
        if (said == StartedLine)
        {
            started.TrySetResult();
        }
        else if (said.StartsWith(EndedLine, StringComparison.Ordinal))
        {
            ended.TrySetResult(said[EndedLine.Length..]);
        }
    }
}
