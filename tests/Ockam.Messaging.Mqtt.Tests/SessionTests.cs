using Ockam.Messaging.Routing;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Mqtt.Tests;

/// <summary>Clean or persistent session by option: what is published to a node while it is away is kept only in a persistent one.</summary>
public sealed class SessionTests
{
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task A_frame_sent_while_the_node_was_away_arrives_after_it_returns_only_with_a_persistent_session(bool cleanSession, bool arrives)
    {
        var name = TestBroker.UniqueName("phone");
        var options = MqttPair.Options(name, cleanSession: cleanSession);

        // The node subscribes, then goes away (its process stops).
        await using (var first = new Node())
        {
            await using var mqtt = new MqttTransport(first, options);
            await MqttPair.StartAsync(mqtt);
        }

        using var sender = await TestBroker.ConnectAsync();
        await TestBroker.PublishAsync(sender, $"ockam/{name}/in/device", MessageCodec.Encode(new Message(Route.Of(Address.Local("inbox")), Route.Empty, "while away"u8.ToArray())));

        // The same node name comes back, in a new process.
        await using var second = new Node();
        await using var back = new MqttTransport(second, options);
        var inbox = Inbox.Start(second, "inbox", back.Flow);
        await MqttPair.StartAsync(back);
        if (arrives)
        {
            Assert.Equal("while away"u8.ToArray(), (await inbox.ReceiveAsync()).Payload.ToArray());
        }
        else
        {
            Assert.True(await inbox.StaysEmptyAsync(TimeSpan.FromSeconds(1)));
        }
    }
}
