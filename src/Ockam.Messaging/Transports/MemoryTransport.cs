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

    TransportType ITransport.Type => TransportType.Memory;

    /// <summary>Makes this node reachable as <c>memory:<paramref name="listenerName"/></c>.</summary>
    public void Listen(string listenerName) => network.Listen(listenerName, this);

    ValueTask<Address> ITransport.ResolveAsync(Address remote, CancellationToken cancellationToken)
    {
        var peer = remote.ValueText;
        var connection = dialled.GetOrAdd(peer, _ => Connection.Dial(
            node,
            Options,
            peer,
            _ => ValueTask.FromResult(network.Connect(peer, name, Options.MaxFrameSize)),
            c => dialled.TryRemove(new(peer, c))));
        return ValueTask.FromResult(connection.Address);
    }

    internal void Accept(FrameLink link, string from)
    {
        var connection = Connection.Accept(node, Options, from, link, c => accepted.TryRemove(c, out _));
        accepted.TryAdd(connection, 0);
    }

    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(dialled.Values.Concat(accepted.Keys).Select(c => c.CloseAsync())).ConfigureAwait(false);
}
