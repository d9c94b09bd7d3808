using Microsoft.Extensions.Logging;
using Ockam.Identity.Vault;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// Accepts secure channels at a named address: each first handshake message starts a responder
/// worker of its own, bounded in number and in time.
/// </summary>
public sealed partial class SecureChannelListener : IWorker
{
    private readonly Node node;
    private readonly SecureChannelOptions options;
    private readonly ILogger logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<FlowId, int> perFlow = new();
    private int pending;

    private SecureChannelListener(Node node, Address address, SecureChannelOptions options)
    {
        this.node = node;
        this.options = options;
        Address = address;
        logger = node.LoggerFactory.CreateLogger<SecureChannelListener>();
    }

    public Address Address { get; }

    /// <summary>
    /// The flow every accepted channel's flow is spawned from: grant it to the workers this listener's peers
    /// may reach (and to nothing else).
    /// </summary>
    public FlowId Flow { get; } = FlowId.Create();

    /// <summary>Handshakes in progress now.</summary>
    public int PendingHandshakes => Volatile.Read(ref pending);

    /// <summary>Raised when a peer fails to prove itself, is not trusted, or lets its handshake time out.</summary>
    public event EventHandler<HandshakeFailedEventArgs>? HandshakeFailed;

    /// <summary>Raised when a channel has been accepted (the peer verified and trusted).</summary>
    public event EventHandler<ChannelAcceptedEventArgs>? ChannelAccepted;

    public static SecureChannelListener Start(Node node, string name, SecureChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var listener = new SecureChannelListener(node, Address.Local(name), options);
        node.StartWorker(listener.Address, listener);
        foreach (var flow in options.IncomingFlows)
        {
            node.AcceptFlow(listener.Address, flow);
        }

        return listener;
    }

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Interlocked.Increment(ref pending) > options.MaxPendingHandshakes)
        {
            Interlocked.Decrement(ref pending);
            LogBusy(logger, options.MaxPendingHandshakes);
            return;
        }

        // One connection (or any one carrier) opening channel after channel holds at most this many.
        var carrier = message.Flow;
        if (carrier is { } flow && perFlow.AddOrUpdate(flow, 1, (_, n) => n + 1) > options.MaxChannelsPerFlow)
        {
            Release(flow);
            Interlocked.Decrement(ref pending);
            LogTooManyChannels(logger, options.MaxChannelsPerFlow);
            return;
        }

        var ephemeral = await options.Vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral, cancellationToken).ConfigureAwait(false);
        var handshake = NoiseXxHandshake.Responder(options.Vault, options.StaticKey.Key, ephemeral, SecureChannel.Prologue);
        byte[] second;
        try
        {
            handshake.ReadMessage(message.Payload.Span);
            second = handshake.WriteMessage(IdentityProof.For(options).Encode());
        }
        catch (HandshakeException e)
        {
            handshake.Dispose();
            Interlocked.Decrement(ref pending);
            if (carrier is { } failed)
            {
                Release(failed);
            }

            HandshakeFailed?.Invoke(this, new HandshakeFailedEventArgs(e));
            return;
        }

        var worker = new ChannelWorker(node, options, handshake, message.ReturnRoute, FlowId.SpawnedFrom(Flow));
        node.StartWorker(worker.Addresses, worker, worker.Flow, WorkerMailbox.PerAddress);
        if (carrier is { } way)
        {
            // The rest of the handshake and the data come the way the first message came.
            node.AcceptFlow(worker.DecryptorAddress, way);
        }

        _ = worker.Established.ContinueWith(Completed, worker, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (carrier is { } counted)
        {
            // Held for the channel's life: an awaiter's callback, not a continuation task (nothing here can throw).
            worker.Closed.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => Release(counted));
        }

        try
        {
            await node.SendAsync(new Message(message.ReturnRoute, Route.Of(worker.DecryptorAddress), second), cancellationToken).ConfigureAwait(false);
        }
        catch (RoutingException e)
        {
            LogNoRoute(logger, e.Message);
            await node.StopWorkerAsync(worker.EncryptorAddress).ConfigureAwait(false);
        }
    }

    private void Completed(Task<AuthenticatedPeer> handshake, object? state)
    {
        Interlocked.Decrement(ref pending);
        var worker = (ChannelWorker)state!;
        if (handshake.IsCompletedSuccessfully)
        {
            ChannelAccepted?.Invoke(this, new ChannelAcceptedEventArgs(new SecureChannel(worker, handshake.Result)));
        }
        else if (handshake.Exception?.InnerException is HandshakeException e)
        {
            HandshakeFailed?.Invoke(this, new HandshakeFailedEventArgs(e));
        }
    }

    private void Release(FlowId flow)
    {
        if (perFlow.AddOrUpdate(flow, 0, (_, n) => n - 1) <= 0)
        {
            perFlow.TryRemove(new KeyValuePair<FlowId, int>(flow, 0));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "refused a handshake: its connection already carries {Limit} channels")]
    private static partial void LogTooManyChannels(ILogger logger, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "refused a handshake: {Limit} already in progress")]
    private static partial void LogBusy(ILogger logger, int limit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "cannot answer a handshake: {Reason}")]
    private static partial void LogNoRoute(ILogger logger, string reason);
}
