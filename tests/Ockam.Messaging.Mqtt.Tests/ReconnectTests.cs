using System.Text;

namespace Ockam.Messaging.Mqtt.Tests;

/// <summary>The broker connection breaks (here: another client takes the node's client identifier); the node reconnects and its channels carry on.</summary>
public sealed class ReconnectTests
{
    [Fact]
    public async Task A_node_thrown_off_the_broker_reconnects_with_back_off_and_its_channel_carries_on()
    {
        await using var pair = await MqttPair.StartAsync();
        var lost = 0;
        pair.PhoneMqtt.BrokerConnectionLost += (_, _) => Interlocked.Increment(ref lost);

        // Mosquitto closes the older of two connections with one client identifier.
        using var usurper = await TestBroker.ConnectAsync(clientId: $"ockam-{pair.PhoneName}");
        await Eventually.TrueAsync(() => Volatile.Read(ref lost) >= 1);

        // The phone is back (taking its identifier back in turn); what the device sends meanwhile or after arrives.
        await Eventually.TrueAsync(() => pair.PhoneMqtt.IsConnected);
        for (var i = 1; i <= 20; i++)
        {
            await pair.SendToPhoneAsync(Encoding.UTF8.GetBytes($"after {i}"));
        }

        for (var i = 1; i <= 20; i++)
        {
            Assert.Equal($"after {i}", Encoding.UTF8.GetString((await pair.PhoneInbox.ReceiveAsync()).Payload.Span));
        }
    }
}
