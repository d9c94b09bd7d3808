using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Ockam.Identity.Encoding;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Portals;

/// <summary>
/// One TCP connection carried through a portal, on either side: a worker that takes what the peer's stream sends and
/// writes it to its socket, and a loop that reads its socket and sends what it reads to the peer's stream.
/// </summary>
/// <remarks>
/// <para>Ordering: data messages are numbered from 0; one out of turn (lost or overtaken on the way) ends the stream. A
/// stream's bytes are never patched up or reordered: it arrives whole, or it breaks.</para>
/// <para>Back-pressure: each side announces a window (<see cref="PortalOptions.Window"/>), and the sender has at most that
/// many bytes in flight: it reads its socket only as far as its credit goes, and the receiver gives credit back once it
/// has written bytes to its own socket (a quarter window at a time). A slow reader at one end thus stops the writer at
/// the other, and a stream holds at most a window in memory on each side. A peer that sends past its credit is reset.</para>
/// <para>Half-close: a socket that reads its end sends <see cref="PortalEnd"/>; the other side shuts its socket's send side
/// once it has written everything before it, and still carries the answer back. When both directions have ended the
/// sockets close; a failure on either side, or the channel closing, resets both.</para>
/// </remarks>
internal sealed partial class PortalStream : IWorker, IDisposable
{
    private const int SentEnd = 1;
    private const int WroteEnd = 2;

    private readonly Node node;
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly PortalOptions options;
    private readonly ILogger logger;
    private readonly Channel<PortalMessage> writes = Channel.CreateUnbounded<PortalMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim credited = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Route? peer;
    private long peerWindow;

    /// <summary>Bytes this side may still send: the peer's window less what it has not credited back.</summary>
    private long credit;

    /// <summary>Bytes received and not yet credited back (queued for the socket, or written and not yet credited).</summary>
    private long uncredited;
    private ulong sent;
    private ulong received;
    private bool peerEnded;
    private int ended;
    private int over;

    public PortalStream(Node node, Socket socket, PortalOptions options, Task channelClosed)
    {
        this.node = node;
        this.socket = socket;
        this.options = options;
        stream = new NetworkStream(socket, ownsSocket: true);
        logger = node.LoggerFactory.CreateLogger<PortalStream>();
        Address = Address.RandomLocal("portal.stream");

        // Without its channel the stream can neither send nor hear: it ends at once.
        _ = channelClosed.ContinueWith(_ => Abort("the channel closed", tellPeer: false), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Address Address { get; }

    /// <summary>Completes when the peer's stream is known (the outlet reached its target); fails if the stream ended first.</summary>
    public Task Opened => opened.Task;

    /// <summary>Completes when the stream has ended, cleanly or not.</summary>
    public Task Completed => completed.Task;

    /// <summary>Whether the stream ended cleanly (both directions ended) rather than by a reset.</summary>
    public bool Clean { get; private set; }

    /// <summary>
    /// Names the peer's stream, at the end of <paramref name="peerRoute"/>, which takes <paramref name="window"/> bytes: from
    /// now on its messages are taken (and wait for <see cref="Run"/>). The outlet joins before it answers the open, so that
    /// the inlet's first data, which may follow the answer at once, finds the stream ready.
    /// </summary>
    public void Join(Route peerRoute, uint window)
    {
        peerWindow = window;
        credit = window;
        peer = peerRoute;
    }

    /// <summary>Starts carrying, once joined: reads the socket for the peer, and writes what the peer sent.</summary>
    public void Run()
    {
        opened.TrySetResult();
        _ = Task.Run(ReadLoopAsync, CancellationToken.None);
        _ = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <summary>
    /// A peer's stream address is one local hop behind the channel's encryptor (which the channel put first): a stream
    /// answers its own channel, nothing else.
    /// </summary>
    public static bool IsPeerRoute(Route route) => route is [{ IsLocal: true }, { IsLocal: true }];

    public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref over) != 0)
        {
            return ValueTask.CompletedTask;
        }

        PortalMessage decoded;
        try
        {
            decoded = PortalMessage.Decode(message.Payload);
        }
        catch (OckamDecodeException e)
        {
            Abort(e.Message, tellPeer: true);
            return ValueTask.CompletedTask;
        }

        var carrying = peer is not null;
        switch (decoded)
        {
            case PortalOpened answer when !carrying && IsPeerRoute(message.ReturnRoute):
                Join(message.ReturnRoute, answer.Window);
                Run();
                break;
            case PortalData data when carrying && !peerEnded:
                Take(data);
                break;
            case PortalCredit grant when carrying:
                if (Interlocked.Add(ref credit, grant.Granted) > peerWindow)
                {
                    Abort("credit beyond the window", tellPeer: true);
                    return ValueTask.CompletedTask;
                }

                credited.Release();
                break;
            case PortalEnd end when carrying && !peerEnded:
                if (end.Sent != received)
                {
                    Abort("the end came before data it follows", tellPeer: true);
                    return ValueTask.CompletedTask;
                }

                peerEnded = true;
                writes.Writer.TryWrite(end);
                writes.Writer.TryComplete();
                break;
            case PortalReset reset:
                Abort($"the peer reset: {reset.Reason}", tellPeer: false);
                break;
            default:
                Abort($"unexpected {decoded.Kind}", tellPeer: true);
                break;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the stream at once: the socket is reset (not closed gracefully), and the peer told unless it told us.</summary>
    public void Abort(string reason, bool tellPeer)
    {
        if (Interlocked.Exchange(ref over, 1) != 0)
        {
            return;
        }

        LogReset(logger, Address, reason);
        if (tellPeer && peer is { } route)
        {
            _ = TrySendAsync(route, new PortalReset(reason));
        }

        try
        {
            // A reset, not a close: the application must not take a broken stream for a complete one.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        End(clean: false);
        opened.TrySetException(new IOException($"the portal stream was reset: {reason}"));
    }

    public void Dispose() => Abort("the node stopped the stream", tellPeer: true);

    private void Take(PortalData data)
    {
        if (data.Sequence != received)
        {
            Abort($"data {data.Sequence} came when {received} was due", tellPeer: true);
            return;
        }

        received++;
        if (Interlocked.Add(ref uncredited, data.Data.Length) > options.Window)
        {
            Abort("data beyond the window", tellPeer: true);
            return;
        }

        writes.Writer.TryWrite(data);
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[options.MaxChunk];
        var token = stopping.Token;
        try
        {
            while (true)
            {
                while (Volatile.Read(ref credit) <= 0)
                {
                    await credited.WaitAsync(token).ConfigureAwait(false);
                }

                var room = (int)Math.Min(buffer.Length, Volatile.Read(ref credit));
                var read = await stream.ReadAsync(buffer.AsMemory(0, room), token).ConfigureAwait(false);
                if (read == 0)
                {
                    await SendAsync(new PortalEnd(sent), token).ConfigureAwait(false);
                    Ended(SentEnd);
                    return;
                }

                Interlocked.Add(ref credit, -read);
                await SendAsync(new PortalData(sent++, buffer.AsMemory(0, read)), token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or RoutingException or ObjectDisposedException)
        {
            Abort($"reading the socket: {e.Message}", tellPeer: true);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WriteLoopAsync()
    {
        var token = stopping.Token;
        var threshold = options.Window / 4;
        long written = 0;
        try
        {
            await foreach (var message in writes.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (message is PortalData data)
                {
                    await stream.WriteAsync(data.Data, token).ConfigureAwait(false);
                    written += data.Data.Length;
                    if (written >= threshold)
                    {
                        Interlocked.Add(ref uncredited, -written);
                        await SendAsync(new PortalCredit((uint)written), token).ConfigureAwait(false);
                        written = 0;
                    }
                }
                else
                {
                    socket.Shutdown(SocketShutdown.Send);
                    Ended(WroteEnd);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or RoutingException or ObjectDisposedException)
        {
            Abort($"writing the socket: {e.Message}", tellPeer: true);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One direction has ended; once both have, the stream closes cleanly.</summary>
    private void Ended(int direction)
    {
        if ((Interlocked.Or(ref ended, direction) | direction) == (SentEnd | WroteEnd) && Interlocked.Exchange(ref over, 1) == 0)
        {
            End(clean: true);
        }
    }

    private void End(bool clean)
    {
        Clean = clean;
        stopping.Cancel();
        stream.Dispose();
        writes.Writer.TryComplete();
        _ = node.StopWorkerAsync(Address);
        completed.TrySetResult();
    }

    private ValueTask SendAsync(PortalMessage message, CancellationToken cancellationToken) =>
        node.SendAsync(new Message(peer!, Route.Of(Address), message.Encode()), cancellationToken);

    private async Task TrySendAsync(Route route, PortalMessage message)
    {
        try
        {
            await node.SendAsync(new Message(route, Route.Empty, message.Encode())).ConfigureAwait(false);
        }
        catch (RoutingException)
        {
            // The channel is gone too: the peer's stream ends with it.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "portal stream {Stream} reset: {Reason}")]
    private static partial void LogReset(ILogger logger, Address stream, string reason);
}
