using System.Diagnostics;
using System.Text.Json;

namespace Ockam.Client.Tests.Support;

/// <summary>Runs the real <c>ockam</c> tool (the built ockam.dll) as a separate process.</summary>
internal static class OckamProcess
{
    private static string Tool => Path.Combine(AppContext.BaseDirectory, "ockam.dll");

    public static async Task<(int Exit, string Out, string Error)> RunAsync(string home, params string[] args) => await RunWithInputAsync(home, null, args);

    /// <summary>Runs the tool and asserts that it succeeded; its standard output.</summary>
    public static async Task<string> Ok(string home, params string[] args)
    {
        var (exit, output, error) = await RunAsync(home, args);
        Assert.True(exit == 0, $"ockam {string.Join(' ', args)} exited {exit}: {error}");
        return output;
    }

    /// <summary>The fields of the last line of a command's <c>--json</c> output.</summary>
    public static Dictionary<string, string> Json(string output) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(output.Trim().Split('\n')[^1])!;

    public static async Task<(int Exit, string Out, string Error)> RunWithInputAsync(string home, string? input, params string[] args)
    {
        using var process = Start(home, input is not null, args);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        return await WaitAsync(process, TimeSpan.FromSeconds(60));
    }

    public static Process Start(string home, bool redirectInput, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Tool);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add("--home");
        info.ArgumentList.Add(home);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["NO_COLOR"] = "1";
        return Process.Start(info) ?? throw new InvalidOperationException("could not start ockam");
    }

    public static async Task<(int Exit, string Out, string Error)> WaitAsync(Process process, TimeSpan timeout)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ockam did not finish within {timeout}: {await output} {await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
