using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Text;
using Ockam.Messaging.Routing;
using Ockam.Messaging.Telemetry;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Mqtt.Tests;

/// <summary>
/// Any client of the broker can publish on a node's topics under any sender's name. What it writes there is refused
/// by the transport (not a frame), by flow control (not for a worker that takes it), or by the secure channel (not a
/// message that decrypts, or one already received), and the channel it tried to disturb carries on.
/// </summary>
public sealed class InjectionTests : IAsyncLifetime
{
    private readonly List<MqttRejection> transportRejections = [];
    private readonly List<string> channelRejections = [];
    private MeterListener meters = null!;
    private BrokerSpy spy = null!;
    private MqttPair pair = null!;

    public async Task InitializeAsync()
    {
        meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MessagingTelemetry.Name && instrument.Name == "ockam.secure_channel.messages.rejected")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "ockam.reason")
                {
                    lock (channelRejections)
                    {
                        channelRejections.Add((string)tag.Value!);
                    }
                }
            }
        });
        meters.Start();
        spy = await BrokerSpy.StartAsync();
        pair = await MqttPair.StartAsync();
        pair.PhoneMqtt.FrameRejected += (_, e) =>
        {
            lock (transportRejections)
            {
                transportRejections.Add(e.Reason);
            }
        };
    }

    public async Task DisposeAsync()
    {
        await pair.DisposeAsync();
        await spy.DisposeAsync();
        meters.Dispose();
    }

    [Fact]
    public async Task A_forged_or_replayed_frame_on_the_phones_topic_is_rejected_by_the_channel_and_the_channel_carries_on()
    {
        await pair.SendToPhoneAsync("first"u8.ToArray());
        Assert.Equal("first", Text(await pair.PhoneInbox.ReceiveAsync()));

        // The injector copies the device's last data frame off the broker, as anyone subscribed could.
        // Its frames so far: the handshake's first and third messages, then "first".
        await Eventually.TrueAsync(() => Frames().Count >= 3);
        var captured = MessageCodec.Decode(Frames()[^1], 4096);
        // Forged: the next counter (the frame's first eight bytes), so that the replay window lets it through to the tag.
        var forged = captured.Payload.ToArray();
        BinaryPrimitives.WriteUInt64BigEndian(forged, BinaryPrimitives.ReadUInt64BigEndian(forged) + 1);

        using var injector = await TestBroker.ConnectAsync();
        await TestBroker.PublishAsync(injector, pair.PhoneInTopic, MessageCodec.Encode(captured with { Payload = forged }));
        await TestBroker.PublishAsync(injector, pair.PhoneInTopic, MessageCodec.Encode(captured));
        await Eventually.TrueAsync(() => ChannelRejections().Count >= 2);
        Assert.Equal(["DecryptionFailed", "Replayed"], ChannelRejections());
        Assert.Empty(TransportRejections());

        // Neither reached the inbox, and the channel still works both ways.
        await pair.SendToPhoneAsync("second"u8.ToArray());
        var second = await pair.PhoneInbox.ReceiveAsync();
        Assert.Equal("second", Text(second));
        Assert.False(pair.PhoneInbox.TryTake(out _));
        await pair.Phone.SendAsync(second.Reply("answer"u8.ToArray()));
        Assert.Equal("answer", Text(await pair.DeviceInbox.ReceiveAsync()));
    }

    [Fact]
    public async Task What_is_not_a_frame_for_this_node_is_refused_by_the_transport_and_counted()
    {
        using var injector = await TestBroker.ConnectAsync();
        var frame = MessageCodec.Encode(new Message(Route.Of(Address.Local("inbox")), Route.Empty, "forged"u8.ToArray()));

        // Garbage under the device's name; a frame "replying" to a connection the phone never dialled; a sender name
        // that is not a node name.
        await TestBroker.PublishAsync(injector, pair.PhoneInTopic, "not a frame at all"u8.ToArray());
        await TestBroker.PublishAsync(injector, $"ockam/{pair.PhoneName}/reply/{pair.DeviceName}", frame);
        await TestBroker.PublishAsync(injector, $"ockam/{pair.PhoneName}/in/bad name", frame);
        await Eventually.TrueAsync(() => TransportRejections().Count >= 3);
        Assert.Equal([MqttRejection.Malformed, MqttRejection.NotDialled, MqttRejection.UnknownTopic], TransportRejections());

        // The channel's connection outlived the garbage sent under its peer's name.
        await pair.SendToPhoneAsync("still here"u8.ToArray());
        Assert.Equal("still here", Text(await pair.PhoneInbox.ReceiveAsync()));
    }

    [Fact]
    public async Task A_well_formed_frame_from_an_unknown_sender_reaches_no_worker_that_does_not_accept_its_flow_and_makes_no_node_dial()
    {
        var third = new Node();
        var thirdName = TestBroker.UniqueName("third");
        await using var thirdMqtt = new MqttTransport(third, MqttPair.Options(thirdName));
        await MqttPair.StartAsync(thirdMqtt);
        var thirdInbox = Inbox.Start(third, "inbox", thirdMqtt.Flow);
        var openInbox = Inbox.Start(pair.Phone, "open-inbox");

        using var injector = await TestBroker.ConnectAsync();
        var mallory = $"ockam/{pair.PhoneName}/in/mallory";

        // To the inbox behind the channel (it takes only the listener's channels' flow), to a worker that takes no flow,
        // and onward to a third node the phone would have to dial.
        await TestBroker.PublishAsync(injector, mallory, MessageCodec.Encode(new Message(Route.Of(Address.Local("inbox")), Route.Empty, "forged"u8.ToArray())));
        await TestBroker.PublishAsync(injector, mallory, MessageCodec.Encode(new Message(Route.Of(Address.Local("open-inbox")), Route.Empty, "forged"u8.ToArray())));
        await TestBroker.PublishAsync(injector, mallory, MessageCodec.Encode(new Message(Route.Of(MqttTransport.AddressOf(thirdName), Address.Local("inbox")), Route.Empty, "relay me"u8.ToArray())));

        // Mallory is a peer like any other at the transport (it may open a channel to the listener), so nothing is refused there.
        await Eventually.TrueAsync(() => pair.PhoneMqtt.AcceptedCount == 2);
        Assert.True(await thirdInbox.StaysEmptyAsync(TimeSpan.FromMilliseconds(500)));
        Assert.False(openInbox.TryTake(out _));
        Assert.False(pair.PhoneInbox.TryTake(out _));
        Assert.Empty(TransportRejections());
        await third.DisposeAsync();
    }

    private static string Text(Message message) => Encoding.UTF8.GetString(message.Payload.Span);

    private List<byte[]> Frames() => [.. spy.Seen.Where(m => m.Topic == pair.PhoneInTopic && m.Payload.Length > 0).Select(m => m.Payload)];

    private List<MqttRejection> TransportRejections()
    {
        lock (transportRejections)
        {
            return [.. transportRejections];
        }
    }

    private List<string> ChannelRejections()
    {
        lock (channelRejections)
        {
            return [.. channelRejections];
        }
    }
}
