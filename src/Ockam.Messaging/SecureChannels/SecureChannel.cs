using Ockam.Identity.Vault;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// An open, mutually authenticated secure channel. Put <see cref="Address"/> first in a route and the
/// rest of the route is carried encrypted to the peer's node, where it continues. The channel does not
/// know or care what transports, hops or other channels lie beneath it.
/// </summary>
public sealed class SecureChannel
{
    /// <summary>Bound into every handshake hash: a peer speaking another version fails authentication, never falls back.</summary>
    internal static ReadOnlySpan<byte> Prologue => "ockam.secure-channel.v1"u8;

    private readonly ChannelWorker worker;

    internal SecureChannel(ChannelWorker worker, AuthenticatedPeer peer)
    {
        this.worker = worker;
        Peer = peer;
    }

    /// <summary>Where local workers send what should cross the channel.</summary>
    public Address Address => worker.EncryptorAddress;

    public AuthenticatedPeer Peer { get; }

    /// <summary>
    /// What comes out of this channel is sent on with this flow: grant it (<see cref="Node.AcceptFlow"/>) to the
    /// workers the peer may reach. Channels a listener accepted have flows spawned from the listener's.
    /// </summary>
    public FlowId Flow => worker.Flow;

    /// <summary>Completes when the channel has closed (by either side, idleness, or its node stopping).</summary>
    public Task Closed => worker.Closed;

    internal ChannelWorker Worker => worker;

    /// <summary>
    /// Runs the initiator's side of the handshake with the listener at the end of <paramref name="route"/>
    /// and returns the open channel once the responder's identity has been verified and trusted.
    /// </summary>
    /// <exception cref="HandshakeException">The responder could not be verified or trusted, or the handshake timed out.</exception>
    /// <exception cref="RoutingException">The route's first hop does not exist.</exception>
    public static Task<SecureChannel> CreateAsync(Node node, Route route, SecureChannelOptions options, CancellationToken cancellationToken = default) =>
        CreateAsync(node, route, options, consumers: [], cancellationToken);

    /// <summary>
    /// As <see cref="CreateAsync(Node, Route, SecureChannelOptions, CancellationToken)"/>, granting the channel's flow to
    /// <paramref name="consumers"/> (local workers the peer may reach) before the handshake starts, so that nothing the
    /// peer sends as soon as the channel opens is refused.
    /// </summary>
    public static async Task<SecureChannel> CreateAsync(Node node, Route route, SecureChannelOptions options, IEnumerable<Address> consumers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consumers);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var ephemeral = await options.Vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral, cancellationToken).ConfigureAwait(false);
        var handshake = NoiseXxHandshake.Initiator(options.Vault, options.StaticKey.Key, ephemeral, Prologue);
        var first = handshake.WriteMessage([]);
        var worker = new ChannelWorker(node, options, handshake, remoteRoute: null, FlowId.Create());
        node.StartWorker(worker.Addresses, worker, worker.Flow, WorkerMailbox.PerAddress);
        try
        {
            // Answers come back through whatever the first hop sends through, or through a flow the caller names.
            if (await node.ProducerFlowAsync(route.Next, cancellationToken).ConfigureAwait(false) is { } carrier)
            {
                node.AcceptFlow(worker.DecryptorAddress, carrier);
            }

            foreach (var flow in options.IncomingFlows)
            {
                node.AcceptFlow(worker.DecryptorAddress, flow);
            }

            foreach (var consumer in consumers)
            {
                node.AcceptFlow(consumer, worker.Flow);
            }

            await node.SendAsync(new Message(route, Route.Of(worker.DecryptorAddress), first), cancellationToken).ConfigureAwait(false);
            var peer = await worker.Established.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new SecureChannel(worker, peer);
        }
        catch
        {
            await node.StopWorkerAsync(worker.EncryptorAddress).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Tells the peer the channel is closing, then deletes its keys.</summary>
    public Task CloseAsync(CancellationToken cancellationToken = default) => worker.CloseAsync(null, cancellationToken);

    /// <summary>Tells the peer the channel is closing and why (at most 256 UTF-8 bytes reach it), then deletes its keys.</summary>
    public Task CloseAsync(string reason, CancellationToken cancellationToken = default) => worker.CloseAsync(reason, cancellationToken);

    /// <summary>Why the peer closed the channel, if it closed it and said so (set once <see cref="Closed"/> completes).</summary>
    public string? PeerCloseReason => worker.PeerCloseReason;

    public override string ToString() => $"secure channel {Address} to {Peer}";
}
