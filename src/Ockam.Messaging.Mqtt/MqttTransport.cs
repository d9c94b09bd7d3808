using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet;
using Ockam.Identity.Encoding;
using Ockam.Messaging.Routing;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Mqtt;

/// <summary>
/// MQTT for a node: "mqtt:&lt;node name&gt;" hops, carried as QoS 1 messages through an unmodified broker, with the
/// frames, connections and flow control of the TCP transport. A peer that publishes on this node's topics is an
/// accepted connection, a producer with a flow spawned from <see cref="Flow"/>; nothing that arrives makes the node
/// dial. The broker sees topics and frame sizes, and only ciphertext when the frames carry a secure channel.
/// </summary>
/// <remarks>
/// Anyone who may publish on the broker can write on this node's topics under any sender name: a message is checked
/// (size, then form) before it reaches a connection, refused ones are counted (<see cref="FrameRejected"/>), and one
/// that passes still reaches only workers that accept the transport's flow — a secure channel, which drops what it
/// cannot decrypt.
/// </remarks>
public sealed partial class MqttTransport : ITransport, IAsyncDisposable
{
    private readonly Node node;
    private readonly MqttTopics topics;
    private readonly BrokerSession broker;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<string, Connection> dialled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Connection, byte> accepted = new();

    /// <summary>The current link of each connection, by peer: replies go to the dialled ones, the rest to the accepted ones.</summary>
    private readonly ConcurrentDictionary<string, MqttFrameLink> dialledLinks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MqttFrameLink> acceptedLinks = new(StringComparer.Ordinal);

    public MqttTransport(Node node, MqttTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        this.node = node;
        logger = node.LoggerFactory.CreateLogger<MqttTransport>();
        topics = new MqttTopics(options.TopicPrefix, options.NodeName);
        broker = new BrokerSession(options, topics, node.Time, logger, ReceivedAsync);
        broker.Lost += () => BrokerConnectionLost?.Invoke(this, new ConnectionLostEventArgs($"{options.Host}:{options.Port}"));
        node.RegisterTransport(this);
    }

    public MqttTransportOptions Options { get; }

    /// <summary>
    /// The flow every accepted connection's flow is spawned from: grant it to the workers peers may reach
    /// (a secure-channel listener), and to nothing else.
    /// </summary>
    public FlowId Flow { get; } = FlowId.Create();

    TransportType ITransport.Type => TransportType.Mqtt;

    /// <summary>Raised for each message on this node's topics that is refused before reaching any worker.</summary>
    public event EventHandler<MqttFrameRejectedEventArgs>? FrameRejected;

    /// <summary>Raised when the connection to the broker breaks; it reconnects with back-off and connections wait meanwhile.</summary>
    public event EventHandler<ConnectionLostEventArgs>? BrokerConnectionLost;

    /// <summary>Whether the broker connection is up and subscribed.</summary>
    public bool IsConnected => broker.IsConnected;

    /// <summary>Peers whose connection to this node is open.</summary>
    public int AcceptedCount => accepted.Count;

    /// <summary>The address of the node named <paramref name="nodeName"/> on the broker.</summary>
    public static Address AddressOf(string nodeName)
    {
        MqttTopics.ValidateName(nodeName, nameof(nodeName));
        return new Address(TransportType.Mqtt, Encoding.UTF8.GetBytes(nodeName));
    }

    /// <summary>
    /// Connects to the broker and subscribes to this node's topics; completes once that is done. Until then, and whenever
    /// the broker is away, it keeps trying with back-off, and what is sent waits.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => broker.StartAsync(cancellationToken);

    ValueTask<Address> ITransport.ResolveAsync(Address remote, CancellationToken cancellationToken)
    {
        var peer = remote.ValueText;
        if (!MqttTopics.IsValidName(peer))
        {
            throw new RoutingException(RoutingError.NoSuchWorker, $"{remote} is not a node name");
        }

        return ValueTask.FromResult(Outgoing.Resolve(dialled, Options.Transport, peer, () => Connection.Dial(
            node,
            Options.Transport,
            peer,
            _ => ValueTask.FromResult<FrameLink>(OpenDialled(peer)),
            c => dialled.TryRemove(new(peer, c)))));
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(dialled.Values.Concat(accepted.Keys).Select(c => c.CloseAsync())).ConfigureAwait(false);
        await broker.DisposeAsync().ConfigureAwait(false);
    }

    private MqttFrameLink OpenDialled(string peer)
    {
        var link = new MqttFrameLink(broker, topics.DialledTo(peer), Options.Transport.MaxFrameSize, l => dialledLinks.TryRemove(new(peer, l)));
        dialledLinks[peer] = link;
        return link;
    }

    /// <summary>A message on one of this node's topics; called for one message at a time, in the broker's order.</summary>
    private async Task ReceivedAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        var size = (int)Math.Min(message.Payload.Length, int.MaxValue);
        if (!topics.TryParse(message.Topic, out var peer, out var reply))
        {
            Reject(MqttRejection.UnknownTopic, size, null);
            return;
        }

        // Refused before copying: a payload over the limit never costs more than what the client library read.
        if (message.Payload.Length > Options.Transport.MaxFrameSize)
        {
            Reject(MqttRejection.FrameTooLarge, size, peer);
            return;
        }

        var frame = message.Payload.ToArray();
        var link = (reply ? dialledLinks : acceptedLinks).GetValueOrDefault(peer);
        if (frame.Length == 0)
        {
            // A keep-alive keeps an open connection open; it opens none.
            if (link is not null)
            {
                await link.DeliverAsync(frame, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // Checked here, not only by the connection: a connection drops its link on a malformed frame (right for a
        // socket, whose sender is the peer), but here anyone on the broker can write under the peer's name.
        try
        {
            MessageCodec.Decode(frame, Options.Transport.MaxFrameSize);
        }
        catch (OckamDecodeException)
        {
            Reject(MqttRejection.Malformed, size, peer);
            return;
        }

        if (link is null)
        {
            if (reply)
            {
                Reject(MqttRejection.NotDialled, size, peer);
                return;
            }

            link = Accept(peer, size);
            if (link is null)
            {
                return;
            }
        }

        await link.DeliverAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private MqttFrameLink? Accept(string peer, int size)
    {
        if (accepted.Count >= Options.Transport.MaxConnections)
        {
            Reject(MqttRejection.TooManyPeers, size, peer);
            return null;
        }

        var link = new MqttFrameLink(broker, topics.AcceptedTo(peer), Options.Transport.MaxFrameSize, l => acceptedLinks.TryRemove(new(peer, l)));
        Connection connection;
        try
        {
            connection = Connection.Accept(node, Options.Transport, peer, link, c => accepted.TryRemove(c, out _), Flow);
        }
        catch (ObjectDisposedException)
        {
            // The node is stopping.
            return null;
        }

        accepted.TryAdd(connection, 0);
        acceptedLinks[peer] = link;
        return link;
    }

    private void Reject(MqttRejection reason, int size, string? peer)
    {
        MqttTelemetry.Rejected.Add(1, new KeyValuePair<string, object?>("ockam.reason", reason.ToString()));
        LogRejected(logger, reason, size, peer ?? "(none)");
        FrameRejected?.Invoke(this, new MqttFrameRejectedEventArgs(reason, size, peer));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "refused an MQTT message ({Reason}, {Size} bytes, sender named {Peer})")]
    private static partial void LogRejected(ILogger logger, MqttRejection reason, int size, string peer);
}
