using System.Diagnostics.Metrics;

namespace Ockam.Messaging.Mqtt;

/// <summary>Metrics of the MQTT transport (meter "Ockam.Messaging.Mqtt"); tags carry reasons and outcomes, never topics or payloads.</summary>
public static class MqttTelemetry
{
    public const string Name = "Ockam.Messaging.Mqtt";

    private static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Rejected = Meter.CreateCounter<long>("ockam.mqtt.rejected", description: "Messages on a node's topics refused before reaching any worker, by reason");

    internal static readonly Counter<long> BrokerSessions = Meter.CreateCounter<long>("ockam.mqtt.broker.connects", description: "Attempts to connect to the broker, by outcome");
}
