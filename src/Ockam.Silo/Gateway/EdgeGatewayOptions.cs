using Ockam.Messaging.Transports;

namespace Ockam.Silo.Gateway;

/// <summary>Settings of the edge gateway beyond the address it listens on.</summary>
internal sealed class EdgeGatewayOptions
{
    public TransportOptions Transport { get; set; } = new();

    /// <summary>Operation name → policy source, replacing the defaults of <see cref="GatewayOperations"/>.</summary>
    public Dictionary<string, string> Policies { get; set; } = [];

    public TimeSpan RevocationRefresh { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests (and, counted apart, live relayed pieces: a portal's stream) one identity may send a second over all its channels, after a burst of <see cref="RequestBurst"/>.</summary>
    public double RequestsPerSecond { get; set; } = 1000;

    public int RequestBurst { get; set; } = 2000;

    /// <summary>
    /// Stored relayed messages one identity may send a second over all its channels, after a burst of
    /// <see cref="StoredRelayedBurst"/>. Lower than the request rate: each one is a durable row written, pushed,
    /// acknowledged and deleted (1 000 a second from one identity cost the silo about 0.3 of a core in the flood
    /// measurement), while a device's readings come a few a second. Replies to a connection's reply relay, held in
    /// memory only, count at the request rate.
    /// </summary>
    public double StoredRelayedPerSecond { get; set; } = 200;

    public int StoredRelayedBurst { get; set; } = 1000;

    /// <summary>
    /// How long a request past its identity's rate may wait in its channel for its turn (pacing the sender) before it is
    /// refused with <c>TooManyRequests</c> (or, relayed, dropped). Each channel waits for one message at a time, so only
    /// many channels of one identity waiting at once come near it.
    /// </summary>
    public TimeSpan RequestRatePatience { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Channels one identity may open a second at the gateway (both listeners, all connections), after a burst of
    /// <see cref="HandshakeBurst"/>; past it its handshakes are paced like its requests (<see cref="RequestRatePatience"/>).
    /// A device opens one or two per connection.
    /// </summary>
    public double HandshakesPerSecond { get; set; } = 10;

    public int HandshakeBurst { get; set; } = 20;

    /// <summary>Channels (open or opening) one TCP connection may carry.</summary>
    public int MaxChannelsPerConnection { get; set; } = 16;

    /// <summary>Messages each of the gateway's mailboxes (a connection's, each side of a channel's) holds before its senders wait.</summary>
    public int MailboxCapacity { get; set; } = 1024;

    /// <summary>
    /// Bytes of payload each of those mailboxes holds before its senders wait, whichever of this and
    /// <see cref="MailboxCapacity"/> comes first: a peer that stops reading while its own relay's 256 KiB messages are
    /// pushed back at it holds this much per mailbox, not <see cref="MailboxCapacity"/> frames.
    /// </summary>
    public long MailboxBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Requests the api answers at once; more wait in their channels' receive sides.</summary>
    public int MaxConcurrentRequests { get; set; } = 256;

    /// <summary>Of <see cref="MaxConcurrentRequests"/>, how many one channel may hold: a peer that never reads its answers holds no more.</summary>
    public int MaxConcurrentRequestsPerChannel { get; set; } = 32;

    /// <summary>Messages waiting at the gateway for one relay (its grain takes them in order, one at a time); more wait in their senders' channels.</summary>
    public int RelayQueueMessages { get; set; } = 256;

    /// <summary>Bytes waiting at the gateway for one relay (a single larger message is still taken when none waits).</summary>
    public int RelayQueueBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Messages waiting at the gateway for all relays together.</summary>
    public int RelayQueuesMessages { get; set; } = 8192;

    /// <summary>Bytes waiting at the gateway for all relays together.</summary>
    public long RelayQueuesBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Of <see cref="RelayQueuesMessages"/>, how many one sender's (one identity's, over all its channels and relays)
    /// may hold: a member that keeps relays of its own stuck (it reads nothing pushed to them) holds a quarter of the
    /// hop, and everyone else's messages still find room.
    /// </summary>
    public int RelaySenderMessages { get; set; } = 2048;

    /// <summary>Of <see cref="RelayQueuesBytes"/>, how many one sender's may hold (a single larger message is still taken when none of its waits).</summary>
    public long RelaySenderBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// How long the relay hop keeps trying to hand messages to a relay that cannot take them (its database is away,
    /// its silo just died) before it drops them; its senders wait meanwhile.
    /// </summary>
    public TimeSpan RelayHandOverPatience { get; set; } = TimeSpan.FromMinutes(2);
}
