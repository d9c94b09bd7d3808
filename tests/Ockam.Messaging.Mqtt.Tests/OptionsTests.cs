using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Mqtt.Tests;

/// <summary>Names become topic levels: nothing that is a separator or a wildcard gets in, from options or from a route.</summary>
public sealed class OptionsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("phone\0")]
    [InlineData("télé")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void A_name_that_is_not_one_topic_level_of_plain_characters_is_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => MqttTransport.AddressOf(name));
        Assert.Throws<ArgumentException>(() => new MqttTransport(new Node(), new MqttTransportOptions { NodeName = name, Host = "127.0.0.1" }));
        Assert.Throws<ArgumentException>(() => new MqttTransport(new Node(), new MqttTransportOptions { NodeName = "phone", TopicPrefix = name, Host = "127.0.0.1" }));
    }

    [Fact]
    public async Task A_route_to_a_name_that_is_not_a_node_name_is_refused_before_anything_is_published()
    {
        await using var node = new Node();
        await using var mqtt = new MqttTransport(node, new MqttTransportOptions { NodeName = "phone", Host = "127.0.0.1" });
        var error = await Assert.ThrowsAsync<RoutingException>(async () =>
            await node.SendAsync(new Message(Route.Of(new Address(TransportType.Mqtt, "x/#"u8), Address.Local("inbox")), Route.Empty, "x"u8.ToArray())));
        Assert.Equal(RoutingError.NoSuchWorker, error.Error);
    }

    [Fact]
    public void A_password_is_not_printed_and_needs_a_user_name()
    {
        var options = new MqttTransportOptions { NodeName = "phone", Host = "127.0.0.1", UserName = "phone", Password = "hunter2-secret" };
        Assert.DoesNotContain("hunter2", options.ToString(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new MqttTransport(new Node(), new MqttTransportOptions { NodeName = "phone", Host = "127.0.0.1", Password = "x" }));
    }
}
