using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ockam.Client.Edge;
using Ockam.Grains.Contracts;

namespace Ockam.Client.Tests.Support;

/// <summary>What a test does as the operator of a <see cref="SiloProcess"/>: an Orleans client to it, and nodes enrolled with operator tokens.</summary>
internal static class SiloOperator
{
    /// <summary>An Orleans client to the silo process (its gateway open on loopback): tokens, and a relay's depth, which edge nodes cannot ask.</summary>
    public static async Task<IHost> ConnectAsync(int gatewayPort, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(c => c.UseLocalhostClustering(gatewayPort, "ockam", "ockam"));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>A node at <paramref name="home"/> enrolled with a one-use operator token granting <paramref name="attributes"/>.</summary>
    public static Task<EdgeNode> EnrolledNodeAsync(IGrainFactory grains, SiloProcess silo, string home, params (string Name, string Value)[] attributes) =>
        EnrolledNodeAsync(grains, silo, home, silo.AdminTicket.Silo, attributes);

    /// <summary>The same, given <paramref name="siloAddresses"/> (a cluster's silos, separated by commas) to connect to.</summary>
    public static Task<EdgeNode> EnrolledNodeAsync(IGrainFactory grains, SiloProcess silo, string home, string siloAddresses, params (string Name, string Value)[] attributes) =>
        EnrolledNodeAsync(grains, silo, new EdgeNodeOptions { Home = home, Silo = siloAddresses, SiloIdentifier = silo.AdminTicket.SiloIdentifier }, attributes);

    /// <summary>The same, opened with <paramref name="options"/> (its home and silo addresses among them).</summary>
    public static async Task<EdgeNode> EnrolledNodeAsync(IGrainFactory grains, SiloProcess silo, EdgeNodeOptions options, params (string Name, string Value)[] attributes)
    {
        var token = await grains.GetGrain<IAuthorityGrain>("default")
            .CreateOperatorTokenAsync(attributes.ToDictionary(a => a.Name, a => Encoding.UTF8.GetBytes(a.Value), StringComparer.Ordinal), TimeSpan.FromHours(1), uses: 1);
        var node = await EdgeNode.OpenAsync(options);
        try
        {
            await node.EnrollAsync(token);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }
}
