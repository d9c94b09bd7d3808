using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Mqtt.Tests;

/// <summary>Payloads a node must not choke on: oversized ones and random bytes get a typed refusal each, and the node carries on.</summary>
public sealed class MalformedPayloadTests
{
    [Fact]
    public async Task An_oversized_payload_is_refused_before_it_is_read_and_a_huge_one_never_reaches_the_node()
    {
        await using var pair = await MqttPair.StartAsync();
        var rejections = new List<MqttFrameRejectedEventArgs>();
        pair.PhoneMqtt.FrameRejected += (_, e) =>
        {
            lock (rejections)
            {
                rejections.Add(e);
            }
        };

        using var injector = await TestBroker.ConnectAsync();

        // Huge: the phone told the broker its maximum packet size, so the broker drops this one for it. Just over the
        // frame limit (within that packet size): the transport refuses it. Same topic, so they arrive in this order.
        await TestBroker.PublishAsync(injector, pair.PhoneInTopic, new byte[200_000]);
        await TestBroker.PublishAsync(injector, pair.PhoneInTopic, new byte[MqttPair.Quick.MaxFrameSize + 1]);
        await Eventually.TrueAsync(() => Snapshot(rejections).Count >= 1);
        var rejection = Assert.Single(Snapshot(rejections));
        Assert.Equal(MqttRejection.FrameTooLarge, rejection.Reason);
        Assert.Equal(MqttPair.Quick.MaxFrameSize + 1, rejection.Size);
        Assert.Equal(pair.DeviceName, rejection.Peer);

        await pair.SendToPhoneAsync("after the oversized"u8.ToArray());
        Assert.Equal("after the oversized"u8.ToArray(), (await pair.PhoneInbox.ReceiveAsync()).Payload.ToArray());
    }

    [Fact]
    public async Task Random_payloads_are_each_refused_as_malformed_and_the_channel_carries_on()
    {
        await using var pair = await MqttPair.StartAsync();
        var reasons = new List<MqttRejection>();
        pair.PhoneMqtt.FrameRejected += (_, e) =>
        {
            lock (reasons)
            {
                reasons.Add(e.Reason);
            }
        };

        using var injector = await TestBroker.ConnectAsync();
        var random = new Random(15);
        const int Count = 200;
        for (var i = 0; i < Count; i++)
        {
            var payload = new byte[random.Next(1, MqttPair.Quick.MaxFrameSize)];
            random.NextBytes(payload);

            // Half of them start as a message would (a CBOR map of four), so that the decoder gets past the first byte.
            if (i % 2 == 0)
            {
                payload[0] = 0xa4;
            }

            await TestBroker.PublishAsync(injector, i % 3 == 0 ? $"ockam/{pair.PhoneName}/in/fuzz-{i % 7}" : pair.PhoneInTopic, payload);
        }

        await Eventually.TrueAsync(() => Snapshot(reasons).Count >= Count);
        Assert.All(Snapshot(reasons), r => Assert.Equal(MqttRejection.Malformed, r));
        Assert.True(pair.PhoneMqtt.IsConnected);

        // None of the fuzz senders got a connection (a frame must be well formed to open one).
        Assert.Equal(1, pair.PhoneMqtt.AcceptedCount);
        await pair.SendToPhoneAsync("after the garbage"u8.ToArray());
        Assert.Equal("after the garbage"u8.ToArray(), (await pair.PhoneInbox.ReceiveAsync()).Payload.ToArray());
    }

    [Fact]
    public async Task Peers_beyond_the_limit_are_refused_until_one_goes()
    {
        await using var pair = await MqttPair.StartAsync();
        var refused = 0;
        pair.PhoneMqtt.FrameRejected += (_, e) =>
        {
            if (e.Reason == MqttRejection.TooManyPeers)
            {
                Interlocked.Increment(ref refused);
            }
        };

        using var injector = await TestBroker.ConnectAsync();
        var frame = MessageCodec.Encode(new Message(Route.Of(Address.Local("nowhere")), Route.Empty, "x"u8.ToArray()));

        // The device holds one of the 16; 20 more senders: 15 get a connection, 5 are refused.
        for (var i = 0; i < 20; i++)
        {
            await TestBroker.PublishAsync(injector, $"ockam/{pair.PhoneName}/in/sender-{i}", frame);
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref refused) == 5);
        Assert.Equal(MqttPair.Quick.MaxConnections, pair.PhoneMqtt.AcceptedCount);

        // Silent senders go after the idle timeout (the device keeps its connection alive), and room is made again.
        await Eventually.TrueAsync(() => pair.PhoneMqtt.AcceptedCount == 1, TimeSpan.FromSeconds(30));
        await TestBroker.PublishAsync(injector, $"ockam/{pair.PhoneName}/in/late-sender", frame);
        await Eventually.TrueAsync(() => pair.PhoneMqtt.AcceptedCount == 2);
        Assert.Equal(5, Volatile.Read(ref refused));
    }

    private static List<T> Snapshot<T>(List<T> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }
}
