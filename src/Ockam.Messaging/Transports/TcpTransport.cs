using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Transports;

/// <summary>
/// TCP for a node: listens for peers and dials "tcp:host:port" hops. Each connection is a worker;
/// frames are length-prefixed and bounded; a peer that sends garbage or stalls loses its own
/// connection and nothing else.
/// </summary>
public sealed partial class TcpTransport : ITransport, IAsyncDisposable
{
    private readonly Node node;
    private readonly ConcurrentDictionary<string, Connection> dialled = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Connection, byte> accepted = new();
    private readonly List<(TcpListener Listener, Task Loop)> listeners = [];
    private readonly Lock gate = new();
    private readonly ILogger logger;

    public TcpTransport(Node node, TransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        Options = options ?? new TransportOptions();
        Options.Validate();
        this.node = node;
        logger = node.LoggerFactory.CreateLogger<TcpTransport>();
        node.RegisterTransport(this);
    }

    public TransportOptions Options { get; }

    /// <summary>
    /// The flow every accepted connection's flow is spawned from: grant it to the workers peers may reach
    /// (a secure-channel listener), and to nothing else.
    /// </summary>
    public FlowId Flow { get; } = FlowId.Create();

    TransportType ITransport.Type => TransportType.Tcp;

    /// <summary>
    /// Raised when a connection this transport dialled breaks; it redials on its own (and holds what is sent meanwhile),
    /// but a node with somewhere else to go — another silo of a cluster — learns here that it should.
    /// </summary>
    public event EventHandler<ConnectionLostEventArgs>? ConnectionLost;

    /// <summary>Connections accepted and still open.</summary>
    public int AcceptedCount => accepted.Count;

    /// <summary>Listens on <paramref name="endpoint"/> (port 0 picks a free one) and returns where it listens.</summary>
    public IPEndPoint Listen(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var listener = new TcpListener(endpoint);
        listener.Start(backlog: 1024);
        lock (gate)
        {
            listeners.Add((listener, Task.Run(() => AcceptLoopAsync(listener))));
        }

        return (IPEndPoint)listener.LocalEndpoint;
    }

    ValueTask<Address> ITransport.ResolveAsync(Address remote, CancellationToken cancellationToken)
    {
        var peer = remote.ValueText;
        if (!TryParseHostPort(peer, out var host, out var port))
        {
            throw new RoutingException(RoutingError.NoSuchWorker, $"{remote} is not host:port");
        }

        // Dialling happens in the connection, so resolving never waits on the network.
        return ValueTask.FromResult(Outgoing.Resolve(dialled, Options, peer, () => Connection.Dial(node, Options, peer, ct => DialAsync(host, port, ct), c => dialled.TryRemove(new(peer, c)), c => ConnectionLost?.Invoke(this, new ConnectionLostEventArgs(c.Peer)))));
    }

    public async ValueTask DisposeAsync()
    {
        List<(TcpListener Listener, Task Loop)> stopping;
        lock (gate)
        {
            stopping = [.. listeners];
            listeners.Clear();
        }

        foreach (var (listener, _) in stopping)
        {
            listener.Stop();
        }

        await Task.WhenAll(stopping.Select(l => l.Loop)).ConfigureAwait(false);
        await Task.WhenAll(dialled.Values.Concat(accepted.Keys).Select(c => c.CloseAsync())).ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!node.Stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(node.Stopping).ConfigureAwait(false);
            }

            // InvalidOperationException: the listener was stopped ("Not listening") between two accepts.
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                return;
            }

            if (accepted.Count >= Options.MaxConnections)
            {
                LogRefused(logger, socket.RemoteEndPoint?.ToString() ?? "?", Options.MaxConnections);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var peer = socket.RemoteEndPoint?.ToString() ?? "?";
            var link = new StreamFrameLink(Wrap(new NetworkStream(socket, ownsSocket: true)), Options.MaxFrameSize);
            var connection = Connection.Accept(node, Options, peer, link, c => accepted.TryRemove(c, out _), Flow);
            accepted.TryAdd(connection, 0);
        }
    }

    private async ValueTask<FrameLink> DialAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.ConnectTimeout, node.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, linked.Token).ConfigureAwait(false);
            return new StreamFrameLink(Wrap(client.GetStream()), Options.MaxFrameSize);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new TimeoutException($"connecting to {host}:{port} took longer than {Options.ConnectTimeout}");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private Stream Wrap(Stream stream) => Options.WrapStream is { } wrap ? wrap(stream) : stream;

    /// <summary>Splits <c>host:port</c> (a bracketed IPv6 host too); false for anything else.</summary>
    public static bool TryParseHostPort(string value, out string host, out int port)
    {
        ArgumentNullException.ThrowIfNull(value);
        host = string.Empty;
        port = 0;
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is 0 or > 65535)
        {
            return false;
        }

        host = value[..colon].Trim('[', ']');
        return host.Length > 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "refused a connection from {Peer}: {Limit} connections already open")]
    private static partial void LogRefused(ILogger logger, string peer, int limit);
}
