using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ockam.Messaging.Routing;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Mqtt.Tests;

/// <summary>Broker credentials and TLS by option: the right ones connect (and carry a channel), wrong or missing ones never do.</summary>
public sealed class BrokerAccessTests
{
    private static readonly TimeSpan Refusal = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_node_with_the_brokers_password_connects_and_one_without_it_or_with_a_wrong_one_never_does()
    {
        var (host, port, user, password) = TestBroker.PasswordEndpoint;
        await using (var right = await StartedAsync(new MqttTransportOptions { NodeName = TestBroker.UniqueName("auth"), Host = host, Port = port, UserName = user, Password = password, Transport = MqttPair.Quick }))
        {
            Assert.True(right.Transport.IsConnected);
        }

        await NeverConnectsAsync(new MqttTransportOptions { NodeName = TestBroker.UniqueName("auth"), Host = host, Port = port, UserName = user, Password = password + "x", Transport = MqttPair.Quick });
        await NeverConnectsAsync(new MqttTransportOptions { NodeName = TestBroker.UniqueName("auth"), Host = host, Port = port, Transport = MqttPair.Quick });
    }

    [Fact]
    public async Task Over_TLS_a_node_that_trusts_the_brokers_CA_carries_a_channel_and_one_that_checks_another_name_or_root_never_connects()
    {
        var (host, port, caFile) = TestBroker.TlsEndpoint;
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(caFile));
        var trusted = new X509Certificate2Collection(ca);
        MqttTransportOptions Options(string role, string? targetHost = null, X509Certificate2Collection? roots = null) => new()
        {
            NodeName = TestBroker.UniqueName(role),
            Host = host,
            Port = port,
            UseTls = true,
            TlsTargetHost = targetHost,
            TlsTrustedRoots = roots,
            Transport = MqttPair.Quick,
        };

        // The broker's certificate names localhost and 127.0.0.1, signed by the throwaway CA alone.
        await using (var phone = await StartedAsync(Options("phone", roots: trusted)))
        {
            await using var device = await StartedAsync(Options("device", targetHost: "localhost", roots: trusted));
            var inbox = Inbox.Start(phone.Node, "inbox", phone.Transport.Flow);
            var replies = Inbox.Start(device.Node, "replies", (await device.Node.ProducerFlowAsync(MqttTransport.AddressOf(phone.Transport.Options.NodeName)))!.Value);
            await device.Node.SendAsync(new Message(Route.Of(MqttTransport.AddressOf(phone.Transport.Options.NodeName), Address.Local("inbox")), Route.Of(Address.Local("replies")), "over TLS"u8.ToArray()));
            var received = await inbox.ReceiveAsync();
            Assert.Equal("over TLS", Encoding.UTF8.GetString(received.Payload.Span));
            await phone.Node.SendAsync(received.Reply("back over TLS"u8.ToArray()));
            Assert.Equal("back over TLS", Encoding.UTF8.GetString((await replies.ReceiveAsync()).Payload.Span));
        }

        await NeverConnectsAsync(Options("phone", targetHost: "broker.example", roots: trusted));
        await NeverConnectsAsync(Options("phone"));
    }

    private static async Task NeverConnectsAsync(MqttTransportOptions options)
    {
        await using var node = new Node();
        await using var transport = new MqttTransport(node, options);
        using var timeout = new CancellationTokenSource(Refusal);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.StartAsync(timeout.Token));
        Assert.False(transport.IsConnected);
    }

    private static async Task<Started> StartedAsync(MqttTransportOptions options)
    {
        var node = new Node();
        var transport = new MqttTransport(node, options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await transport.StartAsync(timeout.Token);
        return new Started(node, transport);
    }

    private sealed record Started(Node Node, MqttTransport Transport) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transport.DisposeAsync();
            await Node.DisposeAsync();
        }
    }
}
