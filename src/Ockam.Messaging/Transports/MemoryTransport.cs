using System.Collections.Concurrent;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Transports;

/// <summary>A node's transport on a <see cref="MemoryNetwork"/>: "memory:name" hops, same framing and codec as TCP.</summary>
public sealed class MemoryTransport : ITransport, IAsyncDisposable
{
    private readonly Node node;
    private readonly MemoryNetwork network;
    private readonly ConcurrentDictionary<string, Connection> dialled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Connection, byte> accepted = new();
    private readonly string name = Guid.NewGuid().ToString("n");

    public MemoryTransport(Node node, MemoryNetwork network, TransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(network);
        Options = options ?? new TransportOptions();
        Options.Validate();
        this.node = node;
        this.network = network;
        node.RegisterTransport(this);
    }

    public TransportOptions Options { get; }

    /// <summary>The flow every accepted connection's flow is spawned from (see <see cref="TcpTransport.Flow"/>).</summary>
    public FlowId Flow { get; } = FlowId.Create();

    TransportType ITransport.Type => TransportType.Memory;

    /// <summary>Makes this node reachable as <c>memory:<paramref name="listenerName"/></c>.</summary>
    public void Listen(string listenerName) => network.Listen(listenerName, this);

    ValueTask<Address> ITransport.ResolveAsync(Address remote, CancellationToken cancellationToken)
    {
        var peer = remote.ValueText;
        return ValueTask.FromResult(Outgoing.Resolve(dialled, Options, peer, () => Connection.Dial(
            node,
            Options,
            peer,
            _ => ValueTask.FromResult(network.Connect(peer, name, Options.MaxFrameSize)),
            c => dialled.TryRemove(new(peer, c)))));
    }

    internal void Accept(FrameLink link, string from)
    {
        Connection connection;
        try
        {
            connection = Connection.Accept(node, Options, from, link, c => accepted.TryRemove(c, out _), Flow);
        }
        catch (ObjectDisposedException)
        {
            // As a closed port would: the dialler backs off and tries again, it does not fail.
            throw new IOException("the listening node has stopped");
        }

        accepted.TryAdd(connection, 0);
    }

    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(dialled.Values.Concat(accepted.Keys).Select(c => c.CloseAsync())).ConfigureAwait(false);
}
