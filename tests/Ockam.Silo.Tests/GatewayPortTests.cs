using Microsoft.Extensions.DependencyInjection;
using Ockam.Silo.Cluster;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests;

/// <summary>
/// The Orleans client gateway port: closed unless configured, and behind the cluster's TLS once opened. The silo has
/// no Orleans clients; an open gateway would take grain calls (the authority's included) from whoever reaches it.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class GatewayPortTests : IDisposable
{
    private readonly TempDirectory data = new();

    [Fact]
    public async Task By_default_the_silo_listens_on_its_silo_port_and_edge_port_only()
    {
        var before = ListeningPorts.OfThisProcess();
        await using var silo = await RunningSilo.StartAsync(data.Path);
        var opened = ListeningPorts.OfThisProcess().Except(before).Order().ToArray();

        Assert.Equal(new[] { silo.SiloPort, silo.EdgeEndpoint.Port }.Order(), opened);
    }

    [Fact]
    public async Task A_configured_gateway_port_listens_and_refuses_peers_without_the_cluster_certificate()
    {
        var gatewayPort = RunningSilo.FreePort();
        await using var silo = await RunningSilo.StartAsync(data.Path, extraArgs: ["--gateway-port", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        // The same measurement as the test above sees the port once it is configured ...
        Assert.Contains(gatewayPort, ListeningPorts.OfThisProcess());

        // ... and opening it turned cluster TLS on, for localhost clustering too.
        var certificate = silo.Services.GetRequiredService<ClusterCertificate>();
        Assert.False(await SiloPortProbe.TlsIsRefusedAsync(gatewayPort, certificate.Certificate));
        Assert.True(await SiloPortProbe.TlsIsRefusedAsync(gatewayPort, clientCertificate: null));
        Assert.True(await SiloPortProbe.PlainPreambleIsRefusedAsync(gatewayPort));
    }

    public void Dispose() => data.Dispose();
}
