using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ockam.Messaging.Telemetry;

/// <summary>
/// Traces and metrics of the messaging layer (source and meter "Ockam.Messaging"). Tags carry roles,
/// outcomes and sizes only: never keys, payloads, routes' contents or identifiers' secrets.
/// </summary>
public static class MessagingTelemetry
{
    public const string Name = "Ockam.Messaging";

    internal static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Handshakes = Meter.CreateCounter<long>("ockam.secure_channel.handshakes", description: "Handshakes finished, by role and outcome");

    internal static readonly Histogram<double> HandshakeDuration = Meter.CreateHistogram<double>("ockam.secure_channel.handshake.duration", "s", "Time from the first handshake message to the channel opening");

    internal static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>("ockam.secure_channel.messages.sent", description: "Data messages encrypted");

    internal static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>("ockam.secure_channel.messages.received", description: "Data messages decrypted and delivered");

    internal static readonly Counter<long> MessagesRejected = Meter.CreateCounter<long>("ockam.secure_channel.messages.rejected", description: "Data messages dropped, by reason (replayed, too old, forged ...)");

    internal static readonly Counter<long> FlowDenied = Meter.CreateCounter<long>("ockam.flow_control.denied", description: "Messages from a remote party dropped because their destination does not accept their flow");

    internal static readonly UpDownCounter<long> Connections = Meter.CreateUpDownCounter<long>("ockam.transport.connections", description: "Open transport connections");

    internal static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>("ockam.transport.bytes.received", "By", "Frame bytes received");

    internal static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("ockam.transport.bytes.sent", "By", "Frame bytes sent");

    internal static readonly Counter<long> ConnectionsDropped = Meter.CreateCounter<long>("ockam.transport.connections.dropped", description: "Connections dropped for breaking the framing rules or going idle");
}
