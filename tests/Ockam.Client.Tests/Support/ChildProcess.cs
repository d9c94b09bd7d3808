using System.Diagnostics;

namespace Ockam.Client.Tests.Support;

/// <summary>A <see cref="Child"/> role running in its own process, started and waited for by a test.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process process;

    private ChildProcess(Process process) => this.process = process;

    /// <summary>Starts the role and returns once it has printed <see cref="Child.Ready"/>.</summary>
    public static async Task<ChildProcess> StartAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(Child).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the child process");
        var child = new ChildProcess(process);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line != Child.Ready)
            {
                throw new InvalidOperationException($"the child {string.Join(' ', args)} printed '{line}', not '{Child.Ready}': {await process.StandardError.ReadToEndAsync(timeout.Token)}");
            }

            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>Kills the process outright (SIGKILL on Linux): no finally block, no flush, no disposal runs in it.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await WaitForExitAsync();
    }

    /// <summary>Closes its standard input (a lock holder then lets go and exits) and waits for it to exit.</summary>
    public async Task<int> StopAsync()
    {
        process.StandardInput.Close();
        await WaitForExitAsync();
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }

        process.Dispose();
    }

    private async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }
}
