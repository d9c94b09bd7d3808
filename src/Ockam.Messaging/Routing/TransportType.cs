namespace Ockam.Messaging.Routing;

/// <summary>The transport an <see cref="Address"/> belongs to (the first byte of an encoded address).</summary>
public enum TransportType : byte
{
    /// <summary>A worker on this node.</summary>
    Local = 0,

    /// <summary>A TCP peer, value "host:port".</summary>
    Tcp = 1,

    /// <summary>A node in the same process (tests, embedding), value = the listener's name.</summary>
    Memory = 2,

    /// <summary>A node on an MQTT broker, value = its node name (see Ockam.Messaging.Mqtt).</summary>
    Mqtt = 3,
}
