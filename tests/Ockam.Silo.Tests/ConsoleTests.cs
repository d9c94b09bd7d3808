using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Ockam.Silo.Configuration;
using OpenTelemetry.Metrics;

namespace Ockam.Silo.Tests;

/// <summary>What an operator sees of a silo: its console on a fresh start, its options for telemetry and the dashboard, its clocks.</summary>
public sealed class ConsoleTests
{
    /// <summary>
    /// The silo as <c>dotnet run --project src/Ockam.Silo</c> runs it (its own process, its appsettings.json, no option):
    /// a banner, then only what matters. It once printed thousands of lines of trace dumps in its first minutes.
    /// </summary>
    [Fact]
    public async Task A_fresh_silo_prints_its_banner_then_stays_quiet()
    {
        using var data = new TempDirectory();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Ockam.Silo.dll"), "--data", data.Path, "--edge-port", "0", "--silo-port", RunningSilo.FreePort().ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info)!;
        var lines = new List<string>();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            // Until the banner's last line, then 20 s more of whatever the silo prints.
            using (var banner = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            {
                while (await process.StandardOutput.ReadLineAsync(banner.Token) is { } line)
                {
                    lines.Add(line);
                    if (line.StartsWith("admin enrolment ticket", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
            }

            using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                while (await process.StandardOutput.ReadLineAsync(quiet.Token) is { } line)
                {
                    lines.Add(line);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var console = string.Join('\n', lines) + await errors;
        Assert.Contains(lines, l => l.StartsWith("silo identity:      I", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("authority identity: I", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("edge gateway:       tcp 127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"data:               {data.Path}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("stop:", StringComparison.Ordinal));
        Assert.True(lines.Count < 40, console);
        Assert.DoesNotContain("Activity.TraceId", console, StringComparison.Ordinal); // no exporter unless asked for
        Assert.DoesNotContain("Metric Name", console, StringComparison.Ordinal);
        Assert.DoesNotContain("warn:", console, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telemetry_and_the_dashboard_are_off_unless_asked_for_and_telemetry_takes_several_exporters()
    {
        using var data = new TempDirectory();
        using (var host = await SiloHost.BuildAsync(["--data", data.Path]))
        {
            Assert.Equal(TelemetryExporters.None, host.Services.GetRequiredService<IOptions<OckamOptions>>().Value.Telemetry);
            Assert.Null(host.Services.GetService<MeterProvider>());
            Assert.Null(host.Services.GetService<IServer>()); // no web server: no dashboard
        }

        using (var host = await SiloHost.BuildAsync(["--data", data.Path, "--telemetry", "otlp,prometheus"]))
        {
            Assert.Equal(TelemetryExporters.Otlp | TelemetryExporters.Prometheus, host.Services.GetRequiredService<IOptions<OckamOptions>>().Value.Telemetry);
        }
    }

    /// <summary>
    /// Orleans' watchdog can read its first timestamp as 0 and report the time since then as a stall: with the system
    /// clock, the machine's uptime. The membership clock counts from the silo's start, so that reading stays short.
    /// </summary>
    [Fact]
    public async Task Orleans_membership_clock_counts_from_the_silos_start_not_the_machines()
    {
        var before = TimeProvider.System.GetTimestamp();
        using var data = new TempDirectory();
        using var host = await SiloHost.BuildAsync(["--data", data.Path]);
        var clock = host.Services.GetRequiredKeyedService<TimeProvider>(TimeProviderNames.Membership);

        Assert.True(clock.GetElapsedTime(0) <= TimeProvider.System.GetElapsedTime(before), $"{clock.GetElapsedTime(0)} since timestamp 0");
        var start = clock.GetTimestamp();
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.InRange(clock.GetElapsedTime(start), TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_dashboard_listens_on_loopback_only()
    {
        using var data = new TempDirectory();
        var port = RunningSilo.FreePort();
        await using var silo = await RunningSilo.StartAsync(data.Path, extraArgs: ["--dashboard", port.ToString(CultureInfo.InvariantCulture)]);
        var listeners = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Where(e => e.Port == port).ToList();
        Assert.NotEmpty(listeners);
        Assert.All(listeners, e => Assert.True(IPAddress.IsLoopback(e.Address), $"{e} is reachable from other machines"));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Contains("Orleans Dashboard", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/")), StringComparison.Ordinal);
    }
}
