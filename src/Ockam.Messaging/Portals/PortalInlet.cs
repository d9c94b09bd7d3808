using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Messaging.Portals;

/// <summary>
/// The client's side of a portal: a local TCP port whose every connection becomes a stream (<see cref="PortalStream"/>)
/// to an outlet, inside an end-to-end secure channel to the outlet's node. The channel is opened on first use, and again
/// after it closes; whom it accepts as the outlet's node is its trust policy (the inlet's policy).
/// </summary>
public sealed partial class PortalInlet : IAsyncDisposable
{
    private readonly Node node;
    private readonly TcpListener listener;
    private readonly Address outlet;
    private readonly Func<CancellationToken, Task<SecureChannel>> connect;
    private readonly PortalOptions options;
    private readonly ILogger logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private SecureChannel? channel;
    private Task accepting = Task.CompletedTask;
    private int streams;
    private int refused;

    private PortalInlet(Node node, TcpListener listener, Address outlet, Func<CancellationToken, Task<SecureChannel>> connect, PortalOptions options)
    {
        this.node = node;
        this.listener = listener;
        this.outlet = outlet;
        this.connect = connect;
        this.options = options;
        logger = node.LoggerFactory.CreateLogger<PortalInlet>();
        Endpoint = (IPEndPoint)listener.LocalEndpoint;
    }

    /// <summary>Where the inlet listens (port 0 resolved).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Streams open now.</summary>
    public int StreamCount => Volatile.Read(ref streams);

    /// <summary>Connections that could not be carried (no channel, the outlet refused, too many): each was reset.</summary>
    public int Refused => Volatile.Read(ref refused);

    /// <summary>
    /// Listens on <paramref name="from"/> and carries each connection to the outlet at <paramref name="outlet"/> on the node
    /// that <paramref name="connect"/> opens a channel to.
    /// </summary>
    public static PortalInlet Start(Node node, IPEndPoint from, Address outlet, Func<CancellationToken, Task<SecureChannel>> connect, PortalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(outlet);
        ArgumentNullException.ThrowIfNull(connect);
        options ??= new PortalOptions();
        options.Validate();
        var listener = new TcpListener(from);
        listener.Start(backlog: 512);
        var inlet = new PortalInlet(node, listener, outlet, connect, options);
        inlet.accepting = Task.Run(inlet.AcceptLoopAsync, CancellationToken.None);
        return inlet;
    }

    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        await accepting.ConfigureAwait(false);

        // Its streams end with their channel.
        if (channel is { } open)
        {
            await open.CloseAsync().ConfigureAwait(false);
        }

        listener.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(stopping.Token).ConfigureAwait(false);
                socket.NoDelay = true;
                if (Interlocked.Increment(ref streams) > options.MaxStreams)
                {
                    Interlocked.Decrement(ref streams);
                    Refuse(socket, $"the inlet carries {options.MaxStreams} streams already");
                    continue;
                }

                _ = Task.Run(() => CarryAsync(socket), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task CarryAsync(Socket socket)
    {
        PortalStream? stream = null;
        SecureChannel? through = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        timeout.CancelAfter(options.OpenTimeout);
        try
        {
            through = await ChannelAsync(timeout.Token).ConfigureAwait(false);
            stream = new PortalStream(node, socket, options, through.Closed);
            _ = stream.Completed.ContinueWith(_ => Interlocked.Decrement(ref streams), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            node.StartWorker([stream.Address], stream);
            node.AcceptFlow(stream.Address, through.Flow);
            await node.SendAsync(new Message(Route.Of(through.Address, outlet), Route.Of(stream.Address), new PortalOpen((uint)options.Window).Encode()), timeout.Token).ConfigureAwait(false);
            await stream.Opened.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            // A handshake refused (the outlet's node is not trusted, or does not trust this one), a timeout, a reset.
            Interlocked.Increment(ref refused);
            if (e is OperationCanceledException && stream is not null && through is not null)
            {
                // No answer at all through an open channel: its path is gone (a node's connection to the silo was
                // renewed, and the channel's route went with the old one). The next connection opens a new channel.
                _ = through.CloseAsync(CancellationToken.None);
            }

            if (stream is null)
            {
                Interlocked.Decrement(ref streams);
                Refuse(socket, e.Message);
            }
            else
            {
                stream.Abort(e.Message, tellPeer: true);
            }
        }
        catch (OperationCanceledException)
        {
            stream?.Abort("the inlet stopped", tellPeer: true);
            socket.Dispose();
        }
    }

    /// <summary>The channel to the outlet's node: the open one, or a new one.</summary>
    private async Task<SecureChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (channel is { Closed.IsCompleted: false } open)
            {
                return open;
            }

            channel = await connect(cancellationToken).ConfigureAwait(false);
            return channel;
        }
        finally
        {
            gate.Release();
        }
    }

    private void Refuse(Socket socket, string reason)
    {
        LogRefused(logger, Endpoint, reason);
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }

        socket.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "portal inlet {Endpoint} could not carry a connection: {Reason}")]
    private static partial void LogRefused(ILogger logger, IPEndPoint endpoint, string reason);
}
