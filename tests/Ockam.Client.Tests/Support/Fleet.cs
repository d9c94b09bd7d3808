using Microsoft.Extensions.DependencyInjection;
using Ockam.Client.Edge;

namespace Ockam.Client.Tests.Support;

/// <summary>A silo in a directory of its own and the edge nodes a test runs against it, each in its own home; disposed together.</summary>
internal sealed class Fleet : IAsyncDisposable
{
    private readonly TempDirectory data;
    private readonly TempDirectory homes = new();
    private readonly List<EdgeNode> nodes = [];

    private Fleet(TempDirectory data, RunningSilo silo)
    {
        this.data = data;
        Silo = silo;
    }

    public RunningSilo Silo { get; }

    /// <summary>Where the silo keeps its data (its SQLite databases), for a test that reads what it stored.</summary>
    public string DataDirectory => data.Path;

    public static async Task<Fleet> StartAsync(Action<IServiceCollection>? services = null)
    {
        var data = new TempDirectory();
        try
        {
            return new Fleet(data, await RunningSilo.StartAsync(data.Path, services: services));
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Where the node called <paramref name="name"/> keeps its files.</summary>
    public string Home(string name) => Path.Combine(homes.Path, name);

    /// <summary>
    /// A node enrolled with <paramref name="attributes"/> that claims the relay named after it (unless
    /// <paramref name="relay"/> is false) and, if <paramref name="listen"/>, listens on it.
    /// </summary>
    public async Task<EdgeNode> MemberAsync(string name, IEnumerable<(string Name, string Value)> attributes, bool relay = true, bool listen = true, Func<EdgeNodeOptions, EdgeNodeOptions>? configure = null)
    {
        var node = Adopt(await Silo.EnrolledNodeAsync(Home(name), configure ?? (options => options), attributes));
        if (relay)
        {
            await node.CreateRelayAsync(name);
            if (listen)
            {
                await node.ListenAsync(name);
            }
        }

        return node;
    }

    /// <summary>The node at <paramref name="home"/> opened again, as a new <c>ockam</c> process would, disposed with the fleet.</summary>
    public async Task<EdgeNode> ReopenAsync(string home) =>
        Adopt(await EdgeNode.OpenAsync(new EdgeNodeOptions { Home = home, Silo = Silo.EdgeEndpoint.ToString(), SiloIdentifier = Silo.Identities.Silo.Identifier }));

    /// <summary>Stops <paramref name="node"/> now (its process gone), no longer the fleet's to dispose.</summary>
    public async Task StopAsync(EdgeNode node)
    {
        lock (nodes)
        {
            nodes.Remove(node);
        }

        await node.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        await Silo.DisposeAsync();
        data.Dispose();
        homes.Dispose();
    }

    private EdgeNode Adopt(EdgeNode node)
    {
        lock (nodes)
        {
            nodes.Add(node);
        }

        return node;
    }
}
