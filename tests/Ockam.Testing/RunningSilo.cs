using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ockam.Silo;
using Ockam.Silo.Configuration;
using Ockam.Silo.Gateway;
using Ockam.Silo.Identities;

namespace Ockam.Testing;

/// <summary>A real silo host (SiloHost, as `dotnet run` builds it) on free ports, started and stopped by a test.</summary>
internal sealed class RunningSilo : IAsyncDisposable
{
    /// <summary>How many times a start is tried, each on a silo port found free anew.</summary>
    private const int PortAttempts = 3;

    private readonly IHost host;

    private RunningSilo(IHost host, int siloPort) => (this.host, SiloPort) = (host, siloPort);

    public int SiloPort { get; }

    public IServiceProvider Services => host.Services;

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public EdgeGateway Gateway => host.Services.GetRequiredService<EdgeGateway>();

    public SiloIdentities Identities => host.Services.GetRequiredService<SiloIdentities>();

    public IPEndPoint EdgeEndpoint => Gateway.Endpoint!;

    public static async Task<RunningSilo> StartAsync(
        string dataDirectory,
        StorageKind storage = StorageKind.Sqlite,
        string? connectionString = null,
        ClusteringKind clustering = ClusteringKind.Localhost,
        Action<IServiceCollection>? services = null,
        params string[] extraArgs)
    {
        for (var attempt = 1; ; attempt++)
        {
            var siloPort = FreePort();
            List<string> args =
            [
                "--data", dataDirectory, "--storage", storage.ToString(), "--clustering", clustering.ToString(),
                "--silo-port", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--edge-port", "0", "--telemetry", "None",
            ];
            if (connectionString is not null)
            {
                args.AddRange(["--connection-string", connectionString]);
            }

            args.AddRange(extraArgs);

            var host = await SiloHost.BuildAsync([.. args], s =>
            {
                s.Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Warning);
                s.AddSingleton<IFatalErrorHandler, StoppingFatalErrorHandler>();
                services?.Invoke(s);
            });
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await host.StartAsync(timeout.Token);
                return new RunningSilo(host, siloPort);
            }
            catch (Exception e) when (attempt < PortAttempts && PortTaken(e))
            {
                // The silo port was free when chosen, but the tests' own outgoing connections draw local ports from the
                // same range: one took it before the silo bound it. (The edge port is the system's choice; a port a test
                // fixes in extraArgs is tried again as it is, and fails the same way.)
                DisposeAfterFailedStart(host);
            }
            catch
            {
                DisposeAfterFailedStart(host);
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }

    private static bool PortTaken(Exception e) =>
        e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
        || (e is AggregateException all ? all.InnerExceptions.Any(PortTaken) : e.InnerException is { } inner && PortTaken(inner));

    /// <summary>The start's failure is what the test must hear of, not one from the clean-up after it.</summary>
    private static void DisposeAfterFailedStart(IHost host)
    {
        try
        {
            host.Dispose();
        }
        catch (Exception)
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
