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

    /// <summary>Requests one channel may send a second, after a burst of <see cref="RequestBurst"/>.</summary>
    public double RequestsPerSecond { get; set; } = 1000;

    public int RequestBurst { get; set; } = 2000;

    /// <summary>Channels (open or opening) one TCP connection may carry.</summary>
    public int MaxChannelsPerConnection { get; set; } = 16;

    /// <summary>
    /// Test seam: sees (and may replace) every envelope before it enters a relay, so that a test can play
    /// a service that tampers with what it relays. Null in any real deployment.
    /// </summary>
    internal Func<byte[], byte[]>? RelayedEnvelopeTap { get; set; }
}
