using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Mqtt.Tests;

/// <summary>
/// A device and a phone, each a node with an MQTT transport on the test broker, and a secure channel from the device to
/// the phone's listener: what the phone's "inbox" receives came through the channel.
/// </summary>
internal sealed class MqttPair : IAsyncDisposable
{
    /// <summary>Short timings, so that a test sees keep-alives, idle peers and reconnects within seconds.</summary>
    public static readonly TransportOptions Quick = new()
    {
        MaxFrameSize = 4096,
        KeepAliveInterval = TimeSpan.FromMilliseconds(500),
        IdleTimeout = TimeSpan.FromSeconds(10),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        MaxConnections = 16,
    };

    private readonly Fleet fleet = new();

    public string DeviceName { get; } = TestBroker.UniqueName("device");

    public string PhoneName { get; } = TestBroker.UniqueName("phone");

    public Node Device { get; } = new();

    public Node Phone { get; } = new();

    public MqttTransport DeviceMqtt { get; private set; } = null!;

    public MqttTransport PhoneMqtt { get; private set; } = null!;

    public SecureChannel Channel { get; private set; } = null!;

    public Inbox PhoneInbox { get; private set; } = null!;

    /// <summary>What comes back to the device through the channel.</summary>
    public Inbox DeviceInbox { get; private set; } = null!;

    /// <summary>The topic the device's frames to the phone take.</summary>
    public string PhoneInTopic => $"ockam/{PhoneName}/in/{DeviceName}";

    public static MqttTransportOptions Options(string name, TransportOptions? transport = null, bool cleanSession = true)
    {
        var (host, port) = TestBroker.Endpoint;
        return new MqttTransportOptions { NodeName = name, Host = host, Port = port, Transport = transport ?? Quick, CleanSession = cleanSession };
    }

    /// <summary>Connects <paramref name="transport"/>, failing the test (not hanging it) if the broker does not answer.</summary>
    public static async Task StartAsync(MqttTransport transport)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await transport.StartAsync(timeout.Token);
    }

    public static async Task<MqttPair> StartAsync(TransportOptions? transport = null)
    {
        var pair = new MqttPair();
        pair.DeviceMqtt = new MqttTransport(pair.Device, Options(pair.DeviceName, transport));
        pair.PhoneMqtt = new MqttTransport(pair.Phone, Options(pair.PhoneName, transport));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(pair.DeviceMqtt.StartAsync(timeout.Token), pair.PhoneMqtt.StartAsync(timeout.Token));

        var device = await pair.fleet.MemberAsync();
        var phone = await pair.fleet.MemberAsync();
        var listener = SecureChannelListener.Start(pair.Phone, "listener", pair.fleet.Options(phone, TrustPolicy.Identifiers(device.Identifier)) with { IncomingFlows = [pair.PhoneMqtt.Flow] });
        pair.PhoneInbox = Inbox.Start(pair.Phone, "inbox", listener.Flow);
        pair.Channel = await SecureChannel.CreateAsync(
            pair.Device,
            Route.Of(MqttTransport.AddressOf(pair.PhoneName), Address.Local("listener")),
            pair.fleet.Options(device, TrustPolicy.Identifiers(phone.Identifier)),
            timeout.Token);
        pair.DeviceInbox = Inbox.Start(pair.Device, "inbox", pair.Channel.Flow);
        return pair;
    }

    /// <summary>Sends <paramref name="payload"/> from the device through the channel to the phone's inbox.</summary>
    public ValueTask SendToPhoneAsync(byte[] payload) =>
        Device.SendAsync(new Message(Route.Of(Channel.Address, Address.Local("inbox")), Route.Of(Address.Local("inbox")), payload));

    public async ValueTask DisposeAsync()
    {
        await DeviceMqtt.DisposeAsync();
        await PhoneMqtt.DisposeAsync();
        await Device.DisposeAsync();
        await Phone.DisposeAsync();
        await fleet.DisposeAsync();
    }
}
