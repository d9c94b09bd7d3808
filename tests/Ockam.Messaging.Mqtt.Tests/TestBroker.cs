using System.Buffers;
using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

// One broker for every test, and assertions over what it carried: the tests run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Ockam.Messaging.Mqtt.Tests;

/// <summary>
/// The Mosquitto broker that test.sh starts (OCKAM_TEST_MQTT=host:port), and plain MQTT clients on it: a spy that
/// records everything, an injector that publishes anything. Without that broker a test fails, saying so: never skipped.
/// </summary>
internal static class TestBroker
{
    /// <summary>The broker's anonymous listener.</summary>
    public static (string Host, int Port) Endpoint => HostPort(Required("OCKAM_TEST_MQTT"));

    /// <summary>The broker's listener that takes only a user name and password (OCKAM_TEST_MQTT_AUTH="host:port user password").</summary>
    public static (string Host, int Port, string User, string Password) PasswordEndpoint
    {
        get
        {
            var parts = Required("OCKAM_TEST_MQTT_AUTH").Split(' ');
            var (host, port) = HostPort(parts[0]);
            return (host, port, parts[1], parts[2]);
        }
    }

    /// <summary>The broker's TLS listener and the CA that signed its certificate (OCKAM_TEST_MQTT_TLS="host:port ca.pem").</summary>
    public static (string Host, int Port, string CaFile) TlsEndpoint
    {
        get
        {
            var parts = Required("OCKAM_TEST_MQTT_TLS").Split(' ');
            var (host, port) = HostPort(parts[0]);
            return (host, port, parts[1]);
        }
    }

    /// <summary>A node name no earlier run or test has used (the broker may remember sessions).</summary>
    public static string UniqueName(string role) => $"{role}-{Guid.NewGuid().ToString("n")[..12]}";

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable)
        ?? throw new InvalidOperationException($"{variable} is not set: run the tests with ./test.sh, which starts Mosquitto (by hand: docs/mqtt.md, \"Tests\")");

    private static (string Host, int Port) HostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return (value[..colon], int.Parse(value[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static async Task<IMqttClient> ConnectAsync(string? clientId = null, Func<MqttApplicationMessage, Task>? received = null)
    {
        var (host, port) = Endpoint;
        var client = new MqttClientFactory().CreateMqttClient();
        if (received is not null)
        {
            client.ApplicationMessageReceivedAsync += e => received(e.ApplicationMessage);
        }

        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(clientId ?? UniqueName("test-client"))
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .Build());
        return client;
    }

    public static Task PublishAsync(IMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
}

/// <summary>A client subscribed to <c>#</c>: every message the broker carries, topic and bytes.</summary>
internal sealed class BrokerSpy : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Topic, byte[] Payload)> seen = new();
    private IMqttClient client = null!;

    public IReadOnlyList<(string Topic, byte[] Payload)> Seen => [.. seen];

    public static async Task<BrokerSpy> StartAsync()
    {
        var spy = new BrokerSpy();
        spy.client = await TestBroker.ConnectAsync(received: m =>
        {
            spy.seen.Enqueue((m.Topic, m.Payload.ToArray()));
            return Task.CompletedTask;
        });
        await spy.client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return spy;
    }

    public async ValueTask DisposeAsync()
    {
        await client.DisconnectAsync();
        client.Dispose();
    }
}
