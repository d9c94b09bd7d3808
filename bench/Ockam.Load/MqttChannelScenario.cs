using System.Diagnostics;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Mqtt;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;

namespace Ockam.Load;

/// <summary>
/// Device → phone through the Mosquitto broker over the MQTT transport, inside an end-to-end secure channel, with the
/// same window of readings outstanding as the online shapes: set beside Mosquitto's own QoS 1 publish → subscribe
/// (MosquittoScenario records that figure under the same name). No silo: the broker is the service in between.
/// </summary>
internal sealed class MqttChannelScenario(LoadSettings settings, Results results, int port) : Scenario(settings, results)
{
    public const string Rate = "mqtt: device → Mosquitto → phone, secure channel, 256 B";

    public override string Name => "secure channel through Mosquitto";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(40);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        using var vault = new SoftwareVault();
        var identities = new IdentityManager(vault, TimeProvider.System);
        var tag = Guid.NewGuid().ToString("N")[..8];
        await using var device = new Node();
        await using var phone = new Node();
        var transport = new TransportOptions { MaxConnections = 16 };
        await using var deviceMqtt = new MqttTransport(device, new MqttTransportOptions { NodeName = "device-" + tag, Host = "127.0.0.1", Port = port, Transport = transport });
        await using var phoneMqtt = new MqttTransport(phone, new MqttTransportOptions { NodeName = "phone-" + tag, Host = "127.0.0.1", Port = port, Transport = transport });
        using (var starting = Within(TimeSpan.FromSeconds(10), cancellationToken))
        {
            await Task.WhenAll(deviceMqtt.StartAsync(starting.Token), phoneMqtt.StartAsync(starting.Token)).ConfigureAwait(false);
        }

        var listener = SecureChannelListener.Start(phone, "listener", await OptionsAsync(vault, identities, cancellationToken).ConfigureAwait(false) with { IncomingFlows = [phoneMqtt.Flow] });
        var inbox = new Inbox();
        phone.StartWorker(Address.Local("inbox"), inbox);
        phone.AcceptFlow(Address.Local("inbox"), listener.Flow);
        var channel = await SecureChannel.CreateAsync(
            device,
            Route.Of(MqttTransport.AddressOf("phone-" + tag), Address.Local("listener")),
            await OptionsAsync(vault, identities, cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

        // A warm-up that is not counted (the JIT, the broker's first messages), then the measured readings.
        var warmUp = Settings.Window * 10;
        var count = Settings.OnlineMessages;
        using var bound = Within(Settings.Bound(TimeSpan.FromSeconds(30)), cancellationToken);
        var clock = new Stopwatch();
        var tool = TimeSpan.Zero;
        using var window = new SemaphoreSlim(Settings.Window);
        var received = 0;
        var disorder = 0;
        var receiving = Task.Run(
            async () =>
            {
                var expected = -1L;
                while (received < warmUp + count)
                {
                    var sequence = Reading.Sequence((await inbox.Readings.Reader.ReadAsync(bound.Token).ConfigureAwait(false)).Span);
                    disorder += expected >= 0 && sequence != expected + 1 ? 1 : 0;
                    expected = sequence;
                    received++;
                    window.Release();
                    if (received % 100 == 0)
                    {
                        progress((double)received / (warmUp + count));
                    }
                }
            },
            CancellationToken.None);
        try
        {
            for (var i = 0; i < warmUp + count; i++)
            {
                if (i == warmUp)
                {
                    // Counted from here: what the warm-up had outstanding still arrives within the measured phase, as for Mosquitto's.
                    clock.Start();
                    tool = Process.GetCurrentProcess().TotalProcessorTime;
                }

                await window.WaitAsync(bound.Token).ConfigureAwait(false);
                await device.SendAsync(new Message(Route.Of(channel.Address, Address.Local("inbox")), Route.Empty, Reading.Create(i)), bound.Token).ConfigureAwait(false);
            }

            await receiving.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Results.Ours(Rate, Figure.DidNotComplete("msg/s", $"{received} of {warmUp + count} arrived in {Seconds(clock.Elapsed)}"));
            return;
        }

        clock.Stop();
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - tool).TotalMilliseconds / count;
        Results.Ours(Rate, new Figure(count / clock.Elapsed.TotalSeconds, "msg/s", $"{count} readings after {warmUp} of warm-up, {Settings.Window} outstanding, QoS 1 one publish at a time per connection; both nodes' CPU {clientCpu:F3} ms per message; {disorder} out of order"));
    }

    private static async Task<SecureChannelOptions> OptionsAsync(SoftwareVault vault, IdentityManager identities, CancellationToken cancellationToken)
    {
        var identity = await identities.CreateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var key = await identities.CreatePurposeKeyAsync(identity, Purpose.SecureChannelStatic, TimeSpan.FromDays(1), KeyPersistence.Ephemeral, cancellationToken).ConfigureAwait(false);
        return new SecureChannelOptions { Vault = vault, Identity = identity, StaticKey = key, TrustPolicy = TrustPolicy.AnyIdentity };
    }

    /// <summary>The phone's worker: keeps what arrives for the counting loop.</summary>
    private sealed class Inbox : IWorker
    {
        public System.Threading.Channels.Channel<ReadOnlyMemory<byte>> Readings { get; } = System.Threading.Channels.Channel.CreateUnbounded<ReadOnlyMemory<byte>>();

        public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) =>
            Readings.Writer.WriteAsync(message.Payload, cancellationToken);
    }
}
