using Microsoft.Extensions.Logging;
using Ockam.Identity.Encoding;
using Ockam.Messaging.Routing;
using Ockam.Messaging.Telemetry;

namespace Ockam.Messaging.Transports;

/// <summary>
/// One connection to another node, as a worker: messages sent to its address leave as frames; frames
/// that arrive become messages whose return route starts with this address, so replies come back here.
/// A dialled connection redials with back-off when it breaks and holds its messages meanwhile; an
/// accepted one ends when its peer goes.
/// </summary>
internal sealed partial class Connection : IBatchWorker
{
    private readonly Node node;
    private readonly TransportOptions options;
    private readonly Func<CancellationToken, ValueTask<FrameLink>>? dial;
    private readonly Action<Connection> closed;
    private readonly Action<Connection>? lost;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stop;
    private readonly Lock gate = new();
    private bool finished;
    private TaskCompletionSource<FrameLink> connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task supervisor = Task.CompletedTask;

    private Connection(Node node, TransportOptions options, string peer, FrameLink? accepted, Func<CancellationToken, ValueTask<FrameLink>>? dial, Action<Connection> closed, Action<Connection>? lost, FlowId flow)
    {
        this.lost = lost;
        Flow = flow;
        this.node = node;
        this.options = options;
        this.dial = dial;
        this.closed = closed;
        Peer = peer;
        Address = Address.RandomLocal("conn");
        logger = node.LoggerFactory.CreateLogger<Connection>();
        stop = CancellationTokenSource.CreateLinkedTokenSource(node.Stopping);
        if (accepted is not null)
        {
            connected.SetResult(accepted);
        }
    }

    public Address Address { get; }

    /// <summary>What arrives here is sent on with this flow: it reaches only workers that accept it.</summary>
    public FlowId Flow { get; }

    /// <summary>The remote end, for logs: "host:port" or a memory listener's name.</summary>
    public string Peer { get; }

    /// <summary>A connection a listener accepted: its flow is spawned from the transport's <paramref name="listenerFlow"/>.</summary>
    public static Connection Accept(Node node, TransportOptions options, string peer, FrameLink link, Action<Connection> closed, FlowId listenerFlow)
    {
        var connection = new Connection(node, options, peer, link, dial: null, closed, lost: null, FlowId.SpawnedFrom(listenerFlow));
        connection.Start();
        return connection;
    }

    /// <summary>A connection this node dials; <paramref name="lost"/> is told each time its link breaks, before it is redialled.</summary>
    public static Connection Dial(Node node, TransportOptions options, string peer, Func<CancellationToken, ValueTask<FrameLink>> dial, Action<Connection> closed, Action<Connection>? lost = null)
    {
        var connection = new Connection(node, options, peer, accepted: null, dial, closed, lost, FlowId.Create());
        connection.Start();
        return connection;
    }

    public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) =>
        HandleMessagesAsync(context, [message], cancellationToken);

    /// <summary>Everything queued for the peer leaves together: one write for a burst of frames, not one each.</summary>
    public async ValueTask HandleMessagesAsync(WorkerContext context, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        var frames = new List<ReadOnlyMemory<byte>>(messages.Count);
        var bytes = 0L;
        foreach (var message in messages)
        {
            var frame = MessageCodec.Encode(message with { OnwardRoute = message.OnwardRoute.Step() });
            if (frame.Length > options.MaxFrameSize)
            {
                LogTooLarge(logger, frame.Length, Peer);
                continue;
            }

            frames.Add(frame);
            bytes += frame.Length;
        }

        if (frames.Count == 0)
        {
            return;
        }

        // The messages stay here until they are written: a broken dialled link is redialled, not a reason to lose them.
        while (true)
        {
            var link = await connected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await link.SendAsync(frames, cancellationToken).ConfigureAwait(false);
                MessagingTelemetry.BytesSent.Add(bytes);
                return;
            }
            catch (Exception e) when (dial is not null && e is IOException or ObjectDisposedException)
            {
                await BreakAsync(link).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Closes the connection and stops its worker.</summary>
    public async Task CloseAsync()
    {
        Cancel();
        await node.StopWorkerAsync(Address).ConfigureAwait(false);
        await supervisor.ConfigureAwait(false);
    }

    private void Start()
    {
        MessagingTelemetry.Connections.Add(1);
        node.StartWorker([Address], this, Flow);
        supervisor = Task.Run(SuperviseAsync);
    }

    private async Task SuperviseAsync()
    {
        var keepAlive = Task.Run(KeepAliveAsync);
        try
        {
            var attempt = 0;
            while (!stop.IsCancellationRequested)
            {
                FrameLink link;
                if (dial is null)
                {
                    link = connected.Task.Result;
                }
                else
                {
                    try
                    {
                        link = await dial(stop.Token).ConfigureAwait(false);
                        attempt = 0;
                        connected.TrySetResult(link);
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
                    {
                        LogDialFailed(logger, Peer, e.Message);
                        await Task.Delay(options.ReconnectDelay(attempt++), node.Time, stop.Token).ConfigureAwait(false);
                        continue;
                    }
                }

                await ReceiveAsync(link).ConfigureAwait(false);
                await BreakAsync(link).ConfigureAwait(false);
                if (dial is null)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (connected.Task.IsCompletedSuccessfully)
            {
                await connected.Task.Result.DisposeAsync().ConfigureAwait(false);
            }

            Cancel();
            await keepAlive.ConfigureAwait(false);
            _ = node.StopWorkerAsync(Address);
            MessagingTelemetry.Connections.Add(-1);
            closed(this);
            lock (gate)
            {
                finished = true;
                stop.Dispose();
            }
        }
    }

    private void Cancel()
    {
        lock (gate)
        {
            if (!finished)
            {
                stop.Cancel();
            }
        }
    }

    private async Task ReceiveAsync(FrameLink link)
    {
        using var idle = new CancellationTokenSource(options.IdleTimeout, node.Time);
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, idle.Token);
        try
        {
            while (true)
            {
                var frame = await link.ReceiveAsync(receiving.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    return;
                }

                idle.CancelAfter(options.IdleTimeout);
                MessagingTelemetry.BytesReceived.Add(frame.Length);
                if (frame.Length == 0)
                {
                    continue;
                }

                Message message;
                try
                {
                    message = MessageCodec.Decode(frame, options.MaxFrameSize);
                    message = message with { ReturnRoute = message.ReturnRoute.Prepend(Address) };
                }
                catch (OckamDecodeException e)
                {
                    throw new TransportException(TransportError.Malformed, e.Message);
                }
                catch (RoutingException e)
                {
                    // Well-formed, but one hop too many to answer: drop the message, keep the connection.
                    LogDropped(logger, Peer, e.Message);
                    continue;
                }

                await node.DeliverFromTransportAsync(message, Flow, receiving.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            MessagingTelemetry.ConnectionsDropped.Add(1, new KeyValuePair<string, object?>("ockam.reason", "idle"));
            LogBroken(logger, Peer, "nothing arrived within the idle timeout");
        }
        catch (TransportException e)
        {
            MessagingTelemetry.ConnectionsDropped.Add(1, new KeyValuePair<string, object?>("ockam.reason", e.Error.ToString()));
            LogBroken(logger, Peer, e.Message);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // ObjectDisposedException: a failed send already broke this link.
            LogBroken(logger, Peer, e.Message);
        }
    }

    private async Task KeepAliveAsync()
    {
        using var timer = new PeriodicTimer(options.KeepAliveInterval, node.Time);

        // Stopped by disposing the timer (the wait then ends with false), not by cancelling the wait: a cancelled
        // PeriodicTimer wait makes an exception with a formatted stack trace, and every closed connection paid for one
        // (6% of an enrolling client's CPU, 2% of the silo's).
        using var stopping = stop.Token.UnsafeRegister(static t => ((PeriodicTimer)t!).Dispose(), timer);
        try
        {
            while (await timer.WaitForNextTickAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (connected.Task.IsCompletedSuccessfully)
                {
                    try
                    {
                        await connected.Task.Result.SendAsync(ReadOnlyMemory<byte>.Empty, stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException)
                    {
                        // The receive side notices the broken link and handles it.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task BreakAsync(FrameLink link)
    {
        var current = connected;
        if (current.Task.IsCompletedSuccessfully && ReferenceEquals(current.Task.Result, link))
        {
            var next = new TaskCompletionSource<FrameLink>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Interlocked.CompareExchange(ref connected, next, current) == current)
            {
                await link.DisposeAsync().ConfigureAwait(false);
                lost?.Invoke(this);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "message of {Size} bytes to {Peer} exceeds the frame limit; dropped")]
    private static partial void LogTooLarge(ILogger logger, int size, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "connection to {Peer} dropped: {Reason}")]
    private static partial void LogBroken(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "message from {Peer} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "dialling {Peer} failed: {Reason}")]
    private static partial void LogDialFailed(ILogger logger, string peer, string reason);
}
