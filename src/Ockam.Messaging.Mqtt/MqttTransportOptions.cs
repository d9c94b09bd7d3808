using System.Security.Cryptography.X509Certificates;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Mqtt;

/// <summary>Where the broker is, who this node is on it, and how it connects (session, credentials, TLS).</summary>
/// <remarks>A class rather than a record: a record's generated <c>ToString</c> would print <see cref="Password"/>.</remarks>
public sealed class MqttTransportOptions
{
    /// <summary>This node's name on the broker: it receives on <c>&lt;prefix&gt;/&lt;name&gt;/…</c> (see docs/mqtt.md).</summary>
    public required string NodeName { get; init; }

    public required string Host { get; init; }

    /// <summary>The broker's port: 1883 is MQTT's, 8883 MQTT over TLS's.</summary>
    public int Port { get; init; } = 1883;

    /// <summary>The first level of every topic this transport uses.</summary>
    public string TopicPrefix { get; init; } = "ockam";

    /// <summary>The MQTT client identifier; by default <c>ockam-&lt;node name&gt;</c>. A second client with the same one takes the session over.</summary>
    public string? ClientId { get; init; }

    /// <summary>
    /// True (the default): every connection starts a new session and the broker keeps nothing for this node while it is away.
    /// False: the session (subscriptions and QoS 1 messages sent meanwhile) outlives a disconnection by <see cref="SessionExpiry"/>.
    /// </summary>
    public bool CleanSession { get; init; } = true;

    /// <summary>How long the broker keeps a persistent session (<see cref="CleanSession"/> false) of a disconnected node.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The broker account's user name, or null to connect anonymously.</summary>
    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>Connect over TLS; the broker's certificate is checked against the system's roots, or <see cref="TlsTrustedRoots"/>.</summary>
    public bool UseTls { get; init; }

    /// <summary>The name the broker's certificate must carry; by default <see cref="Host"/>.</summary>
    public string? TlsTargetHost { get; init; }

    /// <summary>The only roots the broker's certificate may chain to (a private CA), instead of the system's.</summary>
    public X509Certificate2Collection? TlsTrustedRoots { get; init; }

    /// <summary>A certificate (with its private key) this node presents to a broker that asks for one.</summary>
    public X509Certificate2? TlsClientCertificate { get; init; }

    /// <summary>
    /// Frame limit, idle timeout and keep-alives of each peer's connection, the broker's reconnect back-off and connect
    /// timeout, and how many peers may reach this node at once (<see cref="TransportOptions.MaxConnections"/>).
    /// </summary>
    public TransportOptions Transport { get; init; } = new() { MaxConnections = 1_000 };

    internal string EffectiveClientId => ClientId ?? $"ockam-{NodeName}";

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Transport);
        Transport.Validate();
        MqttTopics.ValidateName(NodeName, nameof(NodeName));
        MqttTopics.ValidateName(TopicPrefix, nameof(TopicPrefix));
        ArgumentException.ThrowIfNullOrWhiteSpace(Host);
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfLessThan(SessionExpiry, TimeSpan.FromSeconds(1), nameof(SessionExpiry));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SessionExpiry, TimeSpan.FromSeconds(uint.MaxValue - 1), nameof(SessionExpiry));
        if (ClientId is { Length: 0 or > 65535 })
        {
            throw new ArgumentException("an MQTT client identifier is 1 to 65535 characters", nameof(ClientId));
        }

        if (Password is not null && UserName is null)
        {
            throw new ArgumentException("a password needs a user name", nameof(Password));
        }

        if (!UseTls && (TlsTrustedRoots is not null || TlsClientCertificate is not null || TlsTargetHost is not null))
        {
            throw new ArgumentException("TLS settings are given but UseTls is false", nameof(UseTls));
        }
    }
}
