using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Ockam.Identity.Encoding;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Portals;

/// <summary>
/// The service's side of a portal: for each stream an inlet opens through a channel its listener accepted, it connects
/// to its one target — fixed when the outlet is made — and carries the connection (<see cref="PortalStream"/>).
/// </summary>
/// <remarks>
/// Who may open streams is the listener's trust policy (the outlet's policy, checked on the peer's verified identity and
/// credentials at the handshake). Flow control: the outlet is reachable only by the flow of that listener's channels, and
/// each stream only by the one channel that opened it. An open message names no target, and nothing a peer sends makes
/// this node dial anything but the target: what comes out of a channel cannot dial at all (<see cref="Node"/>), and the
/// outlet's own dial is to its target only.
/// </remarks>
public sealed partial class PortalOutlet : IWorker
{
    private readonly Node node;
    private readonly string host;
    private readonly int port;
    private readonly PortalOptions options;
    private readonly ILogger logger;

    /// <summary>The accepted channels, by flow: a stream ends when its channel closes.</summary>
    private readonly ConcurrentDictionary<FlowId, TaskCompletionSource<Task>> channels = new();
    private int streams;

    private PortalOutlet(Node node, Address address, string target, string host, int port, PortalOptions options)
    {
        this.node = node;
        this.host = host;
        this.port = port;
        this.options = options;
        Address = address;
        Target = target;
        logger = node.LoggerFactory.CreateLogger<PortalOutlet>();
    }

    public Address Address { get; }

    /// <summary>Where every stream goes: "host:port".</summary>
    public string Target { get; }

    /// <summary>Streams open now.</summary>
    public int StreamCount => Volatile.Read(ref streams);

    /// <summary>Where the outlet named <paramref name="name"/> accepts channels (inlets handshake here).</summary>
    public static Address ListenerAddress(string name) => Address.Local($"portal.{name}");

    /// <summary>Where the outlet named <paramref name="name"/> takes open messages, through a channel.</summary>
    public static Address OutletAddress(string name) => Address.Local($"portal.{name}.outlet");

    /// <summary>Starts the outlet named <paramref name="name"/>, for the channels <paramref name="listener"/> accepts, to <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> is not host:port.</exception>
    public static PortalOutlet Start(Node node, SecureChannelListener listener, string name, string target, PortalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new PortalOptions();
        options.Validate();
        if (!TcpTransport.TryParseHostPort(target, out var host, out var port))
        {
            throw new ArgumentException($"'{target}' is not host:port", nameof(target));
        }

        var outlet = new PortalOutlet(node, OutletAddress(name), target, host, port, options);
        listener.ChannelAccepted += (_, e) => outlet.Track(e.Channel);

        // No mailbox: an open is taken at once, and its target is waited for off the channel's loop.
        node.StartWorker([outlet.Address], outlet, mailbox: WorkerMailbox.None);
        node.AcceptFlow(outlet.Address, listener.Flow);
        return outlet;
    }

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Flow is not { } flow || !PortalStream.IsPeerRoute(message.ReturnRoute))
        {
            LogRefused(logger, "not from a channel's stream");
            return;
        }

        PortalOpen open;
        try
        {
            open = PortalMessage.Decode(message.Payload) as PortalOpen ?? throw new OckamDecodeException("an outlet takes open messages only");
        }
        catch (OckamDecodeException e)
        {
            LogRefused(logger, e.Message);
            return;
        }

        if (Interlocked.Increment(ref streams) > options.MaxStreams)
        {
            Interlocked.Decrement(ref streams);
            await RefuseAsync(message.ReturnRoute, $"the outlet carries {options.MaxStreams} streams already", cancellationToken).ConfigureAwait(false);
            return;
        }

        // Off the channel's loop, which runs this handler (the outlet has no mailbox): the target may take up to
        // OpenTimeout to answer, and nothing else the channel carries (its other streams, and everything queued behind
        // them on the node: relayed messages, answers) may wait for it. The inlet sends nothing to a stream before its
        // opened answer, so there is nothing to keep in order.
        _ = OpenAsync(message.ReturnRoute, flow, open.Window);
    }

    /// <summary>Connects to the target for the inlet at <paramref name="inlet"/> and joins the two, or refuses the open; its stream's place is taken already.</summary>
    private async Task OpenAsync(Route inlet, FlowId flow, uint window)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        PortalStream stream;
        try
        {
            var closed = await ChannelClosedAsync(flow, CancellationToken.None).ConfigureAwait(false);
            using var patience = new CancellationTokenSource(options.OpenTimeout);
            await socket.ConnectAsync(host, port, patience.Token).ConfigureAwait(false);
            stream = new PortalStream(node, socket, options, closed);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or TimeoutException)
        {
            socket.Dispose();
            Interlocked.Decrement(ref streams);
            using var telling = new CancellationTokenSource(options.OpenTimeout);
            await RefuseAsync(inlet, $"the target did not answer: {e.Message}", telling.Token).ConfigureAwait(false);
            return;
        }

        _ = stream.Completed.ContinueWith(_ => Interlocked.Decrement(ref streams), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        stream.Join(inlet, window);
        node.StartWorker([stream.Address], stream);
        node.AcceptFlow(stream.Address, flow);
        try
        {
            using var answering = new CancellationTokenSource(options.OpenTimeout);
            await node.SendAsync(new Message(inlet, Route.Of(stream.Address), new PortalOpened((uint)options.Window).Encode()), answering.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RoutingException or OperationCanceledException)
        {
            stream.Abort(e.Message, tellPeer: false);
            return;
        }

        stream.Run();
    }

    private void Track(SecureChannel channel)
    {
        var flow = channel.Flow;
        channels.GetOrAdd(flow, _ => NewWaiter()).TrySetResult(channel.Closed);
        _ = channel.Closed.ContinueWith(_ => channels.TryRemove(flow, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// The closing of the channel of <paramref name="flow"/>: its open may overtake the listener's word that it accepted
    /// the channel (that word is raised off the channel's loop), so it waits for it a while.
    /// </summary>
    private async Task<Task> ChannelClosedAsync(FlowId flow, CancellationToken cancellationToken)
    {
        var waiter = channels.GetOrAdd(flow, _ => NewWaiter());
        try
        {
            return await waiter.Task.WaitAsync(options.OpenTimeout, node.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            channels.TryRemove(new KeyValuePair<FlowId, TaskCompletionSource<Task>>(flow, waiter));
            throw;
        }
    }

    private static TaskCompletionSource<Task> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RefuseAsync(Route inlet, string reason, CancellationToken cancellationToken)
    {
        LogRefused(logger, reason);
        try
        {
            await node.SendAsync(new Message(inlet, Route.Empty, new PortalReset(reason).Encode()), cancellationToken).ConfigureAwait(false);
        }
        catch (RoutingException)
        {
            // The channel is gone: the inlet's stream times out its open.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "portal outlet refused a stream: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
