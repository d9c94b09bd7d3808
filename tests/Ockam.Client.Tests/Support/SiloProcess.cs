using System.Diagnostics;
using Ockam.Messaging.Api;

namespace Ockam.Client.Tests.Support;

/// <summary>
/// The silo as its own process (the built Ockam.Silo.dll, as <c>dotnet run --project src/Ockam.Silo</c> runs it) on free
/// ports and SQLite in a fresh data directory: its thread pool is its own, as in production, not shared with the
/// test's edge nodes. The first administrator enrols with the ticket its banner prints. Further options (storage, fixed
/// ports) follow the defaults and override them; <see cref="Kill"/> ends it as a crash would, for a new process on the
/// same data to start after it.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    /// <summary>How many of its latest output lines are kept, to show when a test fails.</summary>
    private const int KeptLines = 300;

    private readonly Process process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> recent;
    private readonly Task draining;

    private SiloProcess(Process process, EnrollmentTicket adminTicket, int siloPort, System.Collections.Concurrent.ConcurrentQueue<string> recent, Task draining) =>
        (this.process, AdminTicket, SiloPort, this.recent, this.draining) = (process, adminTicket, siloPort, recent, draining);

    public EnrollmentTicket AdminTicket { get; }

    /// <summary>The port it takes other silos on: how Orleans names it, in a grain's activation address for one.</summary>
    public int SiloPort { get; }

    /// <summary>Starts the silo on <paramref name="dataDirectory"/>, with <paramref name="options"/> (command-line switches) after the defaults.</summary>
    /// <remarks>A silo whose identities exist prints a ticket only with <c>--print-admin-token true</c>: this waits for one.</remarks>
    public static async Task<SiloProcess> StartAsync(string dataDirectory, TimeSpan within, params string[] options)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ockam.Silo.dll"));
        var siloPort = RunningSilo.FreePort();
        foreach (var arg in new[] { "--data", dataDirectory, "--edge-port", "0", "--silo-port", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--telemetry", "None" })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var option in options)
        {
            info.ArgumentList.Add(option);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["Logging__LogLevel__Default"] = "Warning";

        // Ours at information: a relay that lets go of an unreachable owner says so.
        info.Environment["Logging__LogLevel__Ockam"] = "Information";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the silo");
        try
        {
            using var timeout = new CancellationTokenSource(within);
            EnrollmentTicket? ticket = null;
            while (ticket is null)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"the silo exited before printing its admin ticket: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
                var word = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
                if (line.StartsWith("admin enrolment ticket", StringComparison.Ordinal) && word is not null && EnrollmentTicket.TryParse(word, out var parsed))
                {
                    ticket = parsed;
                }
            }

            // Read on, so that a full pipe never stalls the silo's console; the latest lines are kept for a failure's account.
            var recent = new System.Collections.Concurrent.ConcurrentQueue<string>();
            async Task KeepAsync(StreamReader reader)
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    recent.Enqueue(line);
                    while (recent.Count > KeptLines && recent.TryDequeue(out _))
                    {
                    }
                }
            }

            var draining = Task.WhenAll(KeepAsync(process.StandardOutput), KeepAsync(process.StandardError));
            return new SiloProcess(process, ticket, siloPort, recent, draining);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Its latest output lines (Orleans' warnings and errors, ours from information up), oldest first.</summary>
    public IReadOnlyCollection<string> RecentOutput => [.. recent];

    /// <summary>Stops the process (SIGSTOP) without ending it: its connections stay open and nothing it is asked is answered.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>Lets a paused process go on (SIGCONT): it then reads and answers what waited in its connections.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Kills the process outright (SIGKILL): nothing of it runs after, nothing is flushed or stopped politely.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        await draining;
        process.Dispose();
    }
}
