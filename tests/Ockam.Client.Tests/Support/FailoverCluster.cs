using System.Globalization;
using Xunit.Abstractions;

namespace Ockam.Client.Tests.Support;

/// <summary>
/// Two silos on one PostgreSQL database, as the README starts them (one data directory: A, started first and alone,
/// makes the keys both share), tuned for fast failover (docs/cluster.md): they probe each other every 2 s, where with
/// Orleans' default of 5 s relayed delivery resumed 18 s after a kill. B opens its Orleans gateway for the test's operator.
/// </summary>
internal sealed class FailoverCluster : IAsyncDisposable
{
    /// <summary>How many times the pair is started on newly chosen ports when a chosen one was taken meanwhile.</summary>
    private const int PortAttempts = 3;

    private FailoverCluster(SiloProcess a, SiloProcess b, string edgeA, string edgeB, int gatewayB) =>
        (A, B, EdgeA, EdgeB, GatewayB) = (a, b, edgeA, edgeB, gatewayB);

    public SiloProcess A { get; }

    public SiloProcess B { get; }

    /// <summary>A's edge gateway, host:port.</summary>
    public string EdgeA { get; }

    /// <summary>B's edge gateway, host:port.</summary>
    public string EdgeB { get; }

    /// <summary>B's Orleans gateway port.</summary>
    public int GatewayB { get; }

    public static async Task<FailoverCluster> StartAsync(string connectionString, string dataDirectory, TimeSpan within)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortsAsync(connectionString, dataDirectory, within);
            }
            catch (InvalidOperationException e) when (attempt < PortAttempts && e.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                // A port found free was taken before its silo bound it: silo A's own outgoing connections (to
                // PostgreSQL, to B) draw local ports from the same range. Both silos start again on other ports.
            }
        }
    }

    private static async Task<FailoverCluster> StartOnFreePortsAsync(string connectionString, string dataDirectory, TimeSpan within)
    {
        var (edgeA, edgeB, gatewayB) = (RunningSilo.FreePort(), RunningSilo.FreePort(), RunningSilo.FreePort());
        string[] Options(int edge, params string[] more) =>
        [
            "--storage", "PostgreSql", "--clustering", "AdoNet", "--connection-string", connectionString,
            "--cluster-tls", "false", "--print-admin-token", "true", "--edge-port", edge.ToString(CultureInfo.InvariantCulture),
            "--probe-timeout", "00:00:02", .. more,
        ];

        var a = await SiloProcess.StartAsync(dataDirectory, within, Options(edgeA));
        try
        {
            var b = await SiloProcess.StartAsync(dataDirectory, within, Options(edgeB, "--gateway-port", gatewayB.ToString(CultureInfo.InvariantCulture)));
            return new FailoverCluster(a, b, $"127.0.0.1:{edgeA}", $"127.0.0.1:{edgeB}", gatewayB);
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes each silo's latest output to <paramref name="output"/>; false, to be an exception filter that lets the
    /// failure go on: <c>catch (Exception) when (cluster.ShowRecentOutput(output))</c>.
    /// </summary>
    public bool ShowRecentOutput(ITestOutputHelper output)
    {
        foreach (var (name, silo) in new[] { ("A", A), ("B", B) })
        {
            output.WriteLine($"--- silo {name}'s latest output ---");
            foreach (var line in silo.RecentOutput)
            {
                output.WriteLine(line);
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}
