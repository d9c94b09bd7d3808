using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Ockam.Identity.Encoding;
using Ockam.Messaging.Routing;
using Ockam.Messaging.Telemetry;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// One side of a secure channel, as a worker with two addresses: the encryptor, where local workers
/// send what should cross the channel, and the decryptor, where the peer's channel sends. It runs the
/// rest of the handshake, then encrypts, decrypts and delivers; each delivered message carries the
/// authenticated peer and a return route through this channel.
/// </summary>
/// <remarks>
/// Started with a mailbox per address (<see cref="WorkerMailbox.PerAddress"/>): what it sends never waits behind
/// what it receives. Delivering a request may wait for a busy service; the service's answers come back through
/// the encryptor's own mailbox, so that wait can never close into a cycle (with one mailbox, answers queued
/// behind requests that waited for the service that waited to answer). The send side's state is under
/// <c>sendLock</c>; the receive side's (handshake, decryptor, timers) is touched only by the decryptor's loop.
/// </remarks>
internal sealed partial class ChannelWorker : IWorker, IDisposable
{
    private const byte KindMessage = 0;
    private const byte KindClose = 1;
    private const byte KindConfirm = 2;

    /// <summary>A close message's reason is at most this many UTF-8 bytes (longer ones are cut).</summary>
    internal const int MaxCloseReason = 256;

    private readonly Node node;
    private readonly SecureChannelOptions options;
    private readonly ILogger logger;
    private readonly Lock sendLock = new();
    private readonly TaskCompletionSource<AuthenticatedPeer> established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Until the channel opens; then released, as an open channel may stay idle for long.</summary>
    private ITimer? handshakeTimer;
    private readonly long handshakeStarted;
    private readonly string role;
    private Activity? handshakeActivity;
    private NoiseXxHandshake? handshake;
    private ChannelEncryptor? encryptor;
    private ChannelDecryptor? decryptor;
    private ITimer? idleTimer;

    /// <summary>When the last authentic message arrived (<see cref="TimeProvider.GetTimestamp"/>): the idle timer looks at it when it fires.</summary>
    private long lastReceived;
    private Route? remoteRoute;
    private AuthenticatedPeer? peer;
    private volatile bool stopping;

    public ChannelWorker(Node node, SecureChannelOptions options, NoiseXxHandshake handshake, Route? remoteRoute, FlowId flow)
    {
        this.node = node;
        Flow = flow;
        this.options = options;
        this.handshake = handshake;
        this.remoteRoute = remoteRoute;
        logger = node.LoggerFactory.CreateLogger<ChannelWorker>();
        role = handshake.IsInitiator ? "initiator" : "responder";
        handshakeStarted = node.Time.GetTimestamp();
        handshakeActivity = MessagingTelemetry.Source.StartActivity("secure_channel.handshake");
        handshakeActivity?.SetTag("ockam.role", role);
        EncryptorAddress = Address.RandomLocal("sc.enc");
        DecryptorAddress = Address.RandomLocal("sc.dec");

        // A handshake that never completes must not hold a worker and keys forever.
        handshakeTimer = node.Time.CreateTimer(_ => Abort(new HandshakeException(HandshakeError.TimedOut, $"the handshake did not complete within {options.HandshakeTimeout}")), null, options.HandshakeTimeout, Timeout.InfiniteTimeSpan);
    }

    public Address EncryptorAddress { get; }

    public Address DecryptorAddress { get; }

    /// <summary>What this channel decrypts is sent on with this flow: it reaches only workers that accept it.</summary>
    public FlowId Flow { get; }

    /// <summary>Completes with the peer when the handshake succeeds, or fails with its <see cref="HandshakeException"/>.</summary>
    public Task<AuthenticatedPeer> Established => established.Task;

    /// <summary>Completes when the channel has stopped, for any reason.</summary>
    public Task Closed => closed.Task;

    public AuthenticatedPeer? Peer => peer;

    public IReadOnlyList<Address> Addresses => [EncryptorAddress, DecryptorAddress];

    /// <summary>Test hook: the sending half, to move its counter.</summary>
    internal ChannelEncryptor? Encryptor => encryptor;

    /// <summary>Test hook: the receiving half.</summary>
    internal ChannelDecryptor? Decryptor => decryptor;

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        if (message.OnwardRoute.Next.Equals(DecryptorAddress))
        {
            await FromPeerAsync(message, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await FromLocalAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The reason the peer gave when it closed the channel, if it gave one.</summary>
    public string? PeerCloseReason { get; private set; }

    /// <summary>Sends the close message (if open), with <paramref name="reason"/> for the peer, and stops the channel.</summary>
    public async Task CloseAsync(string? reason, CancellationToken cancellationToken)
    {
        var said = System.Text.Encoding.UTF8.GetBytes(reason ?? string.Empty);
        if (said.Length > MaxCloseReason)
        {
            said = said[..MaxCloseReason];
        }

        byte[]? closeMessage = null;
        Route? route;
        lock (sendLock)
        {
            route = remoteRoute;
            if (encryptor is not null && !stopping)
            {
                closeMessage = encryptor.EncryptClose([KindClose, .. said]);
            }
        }

        if (closeMessage is not null && route is not null)
        {
            try
            {
                await TrySendAsync(new Message(route, Route.Of(DecryptorAddress), closeMessage), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The reason is a courtesy: a peer that does not read (its send side full) does not get to keep the
                // channel by it. Its keys go all the same.
            }
        }

        await StopAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        stopping = true;
        Interlocked.Exchange(ref handshakeTimer, null)?.Dispose();
        idleTimer?.Dispose();
        lock (sendLock)
        {
            handshake?.Dispose();
            handshake = null;
            encryptor?.Dispose();
            encryptor = null;
            decryptor?.Dispose();
            decryptor = null;
        }

        if (established.TrySetException(new HandshakeException(HandshakeError.TimedOut, "the channel stopped before its handshake completed")))
        {
            EndHandshake("stopped");
        }

        closed.TrySetResult();
    }

    private async ValueTask FromPeerAsync(Message message, CancellationToken cancellationToken)
    {
        if (handshake is not null)
        {
            await ContinueHandshakeAsync(message, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (decryptor is null)
        {
            return;
        }

        if (decryptor.TryDecrypt(message.Payload.Span, out var plaintext) is { } rejection)
        {
            MessagingTelemetry.MessagesRejected.Add(1, new KeyValuePair<string, object?>("ockam.reason", rejection.ToString()));
            LogRejected(logger, EncryptorAddress, rejection);
            return;
        }

        MessagingTelemetry.MessagesReceived.Add(1);
        // A timestamp, not a timer reset: changing a timer takes the timer queue's lock, which a thousand busy channels
        // in one process contend for on every message.
        Volatile.Write(ref lastReceived, node.Time.GetTimestamp());
        if (!established.Task.IsCompleted)
        {
            // The initiator's first authentic message from the responder: the responder holds the channel.
            Confirmed();
        }

        if (plaintext is [KindConfirm])
        {
            return;
        }

        if (plaintext.Length is >= 1 and <= 1 + MaxCloseReason && plaintext[0] == KindClose)
        {
            PeerCloseReason = plaintext.Length > 1 ? Utf8.TryDecode(plaintext.AsSpan(1)) : null;
            await StopAsync().ConfigureAwait(false);
            return;
        }

        Message inner;
        try
        {
            if (plaintext.Length == 0 || plaintext[0] != KindMessage)
            {
                throw new OckamDecodeException("unknown channel message kind");
            }

            inner = MessageCodec.Decode(plaintext.AsMemory(1), plaintext.Length);
            inner = inner with { ReturnRoute = inner.ReturnRoute.Prepend(EncryptorAddress), AuthenticatedPeer = peer };
        }
        catch (Exception e) when (e is OckamDecodeException or RoutingException)
        {
            // Authentic but unusable (a peer bug): drop it, keep the channel.
            LogUndeliverable(logger, EncryptorAddress, e.Message);
            return;
        }

        try
        {
            // The peer chose this route: it reaches only what accepts this channel's flow, and never dials.
            await node.SendAsync(inner, Flow, cancellationToken).ConfigureAwait(false);
        }
        catch (RoutingException e)
        {
            LogUndeliverable(logger, EncryptorAddress, e.Message);
        }
    }

    private async ValueTask FromLocalAsync(Message message, CancellationToken cancellationToken)
    {
        byte[]? data = null;
        var exhausted = false;
        Route? route;
        lock (sendLock)
        {
            route = remoteRoute;
            if (encryptor is null)
            {
                LogNotOpen(logger, EncryptorAddress);
                return;
            }

            if (encryptor.Exhausted)
            {
                exhausted = true;
            }
            else
            {
                var inner = MessageCodec.Encode(new Message(message.OnwardRoute.Step(), message.ReturnRoute, message.Payload));
                data = encryptor.Encrypt([KindMessage, .. inner]);
            }
        }

        if (exhausted)
        {
            // Counters never wrap: reusing a nonce would hand out the key stream.
            LogExhausted(logger, EncryptorAddress);
            await CloseAsync("counters exhausted", cancellationToken).ConfigureAwait(false);
            return;
        }

        MessagingTelemetry.MessagesSent.Add(1);
        await TrySendAsync(new Message(route!, Route.Of(DecryptorAddress), data), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ContinueHandshakeAsync(Message message, CancellationToken cancellationToken)
    {
        var hs = handshake!;
        byte[]? reply = null;
        try
        {
            var payload = hs.ReadMessage(message.Payload.Span);
            var verified = await PeerVerifier.VerifyAsync(payload, hs.RemoteStaticKey ?? [], options, node.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (hs.IsInitiator)
            {
                reply = hs.WriteMessage(IdentityProof.For(options).Encode());
                lock (sendLock)
                {
                    remoteRoute = message.ReturnRoute;
                }
            }

            Open(hs, verified);
        }
        catch (HandshakeException e)
        {
            Abort(e);
            return;
        }

        if (reply is not null)
        {
            // Message 3 is on its way, but the channel is not open until the responder confirms it has read it: a
            // responder that went away before message 3 reached it (queued in its relay) times its handshake out, and
            // whatever this side sent meanwhile would be acknowledged by its relay and then lost, unreadable.
            await TrySendAsync(new Message(message.ReturnRoute, Route.Of(DecryptorAddress), reply), cancellationToken).ConfigureAwait(false);
            return;
        }

        byte[] confirmation;
        Route route;
        lock (sendLock)
        {
            confirmation = encryptor!.Encrypt([KindConfirm]);
            route = remoteRoute!;
        }

        await TrySendAsync(new Message(route, Route.Of(DecryptorAddress), confirmation), cancellationToken).ConfigureAwait(false);
        Confirmed();
    }

    /// <summary>The channel is open: for the responder once it has read message 3; for the initiator once the responder says so.</summary>
    private void Confirmed()
    {
        Interlocked.Exchange(ref handshakeTimer, null)?.Dispose();
        if (established.TrySetResult(peer!))
        {
            EndHandshake("opened");
        }
    }

    private void EndHandshake(string outcome)
    {
        MessagingTelemetry.Handshakes.Add(1, new("ockam.role", role), new("ockam.outcome", outcome));
        MessagingTelemetry.HandshakeDuration.Record(node.Time.GetElapsedTime(handshakeStarted).TotalSeconds, new KeyValuePair<string, object?>("ockam.role", role));
        if (Interlocked.Exchange(ref handshakeActivity, null) is { } activity)
        {
            activity.SetTag("ockam.outcome", outcome);
            activity.SetStatus(outcome == "opened" ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
            activity.Dispose();
        }
    }

    private void Open(NoiseXxHandshake hs, AuthenticatedPeer verified)
    {
        var (send, receive) = hs.Split();
        lock (sendLock)
        {
            encryptor = new ChannelEncryptor(options.Vault, send, options.RekeyInterval);
            decryptor = new ChannelDecryptor(options.Vault, receive, options.RekeyInterval, options.ReplayWindow);
            handshake = null;
            peer = verified;
        }

        lastReceived = node.Time.GetTimestamp();
        idleTimer = node.Time.CreateTimer(_ => IdleCheck(), null, options.IdleTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Closes the channel if nothing authentic arrived for the idle timeout; otherwise looks again when it would have.</summary>
    private void IdleCheck()
    {
        var idle = node.Time.GetElapsedTime(Volatile.Read(ref lastReceived));
        if (idle >= options.IdleTimeout)
        {
            _ = StopAsync();
            return;
        }

        try
        {
            idleTimer?.Change(options.IdleTimeout - idle, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Stopped meanwhile.
        }
    }

    private void Abort(HandshakeException reason)
    {
        if (established.TrySetException(reason))
        {
            EndHandshake(reason.Error.ToString());
            LogHandshakeFailed(logger, EncryptorAddress, reason.Error, reason.Message);
            _ = StopAsync();
        }
    }

    private Task StopAsync()
    {
        stopping = true;
        return node.StopWorkerAsync(EncryptorAddress);
    }

    private async ValueTask TrySendAsync(Message message, CancellationToken cancellationToken)
    {
        try
        {
            await node.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (RoutingException e)
        {
            LogUndeliverable(logger, EncryptorAddress, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "channel {Channel} dropped a data message: {Rejection}")]
    private static partial void LogRejected(ILogger logger, Address channel, DataRejection rejection);

    [LoggerMessage(Level = LogLevel.Debug, Message = "channel {Channel} could not deliver a message: {Reason}")]
    private static partial void LogUndeliverable(ILogger logger, Address channel, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "channel {Channel} is not open; a local message was dropped")]
    private static partial void LogNotOpen(ILogger logger, Address channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "channel {Channel} used up its counters and closes")]
    private static partial void LogExhausted(ILogger logger, Address channel);

    [LoggerMessage(Level = LogLevel.Information, Message = "channel {Channel} handshake failed: {Error}: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, Address channel, HandshakeError error, string reason);
}
