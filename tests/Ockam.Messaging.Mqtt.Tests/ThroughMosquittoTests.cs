using System.Text;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Mqtt.Tests;

/// <summary>
/// The mission over MQTT: a device and a phone talk end to end through an unmodified Mosquitto, and a client that
/// subscribes to everything on the broker learns nothing of what they say.
/// </summary>
public sealed class ThroughMosquittoTests
{
    private const string Marker = "PULSE-OXIMETER-c41e7b";

    [Fact]
    public async Task A_thousand_messages_arrive_in_order_and_the_broker_carries_none_of_their_plaintext()
    {
        await using var spy = await BrokerSpy.StartAsync();
        await using var pair = await MqttPair.StartAsync();

        for (var i = 1; i <= 1000; i++)
        {
            await pair.SendToPhoneAsync(Encoding.UTF8.GetBytes($"{Marker} spo2=97 reading {i}"));
        }

        Message last = null!;
        for (var i = 1; i <= 1000; i++)
        {
            last = await pair.PhoneInbox.ReceiveAsync();
            Assert.Equal($"{Marker} spo2=97 reading {i}", Encoding.UTF8.GetString(last.Payload.Span));
        }

        // The phone answers through the same channel: its frames go back on the device's reply topic.
        await pair.Phone.SendAsync(last.Reply(Encoding.UTF8.GetBytes($"{Marker} acknowledged")));
        Assert.Equal($"{Marker} acknowledged", Encoding.UTF8.GetString((await pair.DeviceInbox.ReceiveAsync()).Payload.Span));

        // The spy saw both directions' frames (it subscribed first; QoS 1 reaches it too), and no plaintext in any.
        await Eventually.TrueAsync(() => spy.Seen.Count(m => m.Topic == pair.PhoneInTopic && m.Payload.Length > 0) >= 1000
            && spy.Seen.Any(m => m.Topic == $"ockam/{pair.DeviceName}/reply/{pair.PhoneName}" && m.Payload.Length > 0));
        var seen = spy.Seen;
        Assert.True(seen.Sum(m => m.Payload.Length) > 1000 * Marker.Length);
        Assert.DoesNotContain(seen, m => m.Payload.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)) >= 0);
        Assert.DoesNotContain(seen, m => m.Payload.AsSpan().IndexOf("spo2"u8) >= 0);
        Assert.DoesNotContain(seen, m => m.Payload.AsSpan().IndexOf("acknowledged"u8) >= 0);
    }
}
