using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Messaging.Api;

namespace Ockam.Client.Tests;

/// <summary>
/// A call waiting for its answer when the silo's process is killed fails as soon as the TCP connection under its channel
/// breaks, with <see cref="ApiStatus.Unavailable"/>, instead of waiting out the node's call timeout: before, a publisher
/// whose publish was in flight at a silo's kill stayed silent for that timeout (15 s), beyond the failover goal.
/// </summary>
public sealed class CallAcrossSiloKillTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(2);
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();

    [Fact]
    public async Task A_call_in_flight_when_the_silo_is_killed_fails_unavailable_when_the_connection_breaks_not_at_its_timeout()
    {
        using var timeout = new CancellationTokenSource(Within);
        var (edge, gateway) = (RunningSilo.FreePort(), RunningSilo.FreePort());
        await using var silo = await SiloProcess.StartAsync(
            data.Path,
            Within,
            "--storage", "Sqlite", "--edge-port", edge.ToString(CultureInfo.InvariantCulture), "--gateway-port", gateway.ToString(CultureInfo.InvariantCulture),
            "--cluster-tls", "false", "--print-admin-token", "true");
        EdgeNode node;
        using (var operator_ = await SiloOperator.ConnectAsync(gateway, timeout.Token))
        {
            // A call timeout far beyond the test's bound: only the broken connection can end the call in time.
            var options = new EdgeNodeOptions
            {
                Home = Path.Combine(homes.Path, "node"),
                Silo = silo.AdminTicket.Silo,
                SiloIdentifier = silo.AdminTicket.SiloIdentifier,
                CallTimeout = TimeSpan.FromHours(1),
            };
            node = await SiloOperator.EnrolledNodeAsync(operator_.Services.GetRequiredService<IGrainFactory>(), silo, options, ("ockam.role", "device"), ("ockam.relay", "node"));
            await operator_.StopAsync(timeout.Token);
        }

        await using var _ = node;
        await node.CreateRelayAsync("node", timeout.Token);

        // Paused, the silo reads the request but never answers it; killed, its connections break.
        await silo.PauseAsync();
        var call = node.GetRelayAsync("node", timeout.Token);

        // Real time, for the request to leave the node: the kill must find it waiting for its answer.
        await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
        Assert.False(call.IsCompleted);
        await silo.KillAsync();

        var failed = await Assert.ThrowsAsync<EdgeException>(() => call);
        Assert.Equal(ApiStatus.Unavailable, failed.Status);
    }

    public void Dispose()
    {
        data.Dispose();
        homes.Dispose();
    }
}
