using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ockam.Identity.Encoding;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Tests.Routing;

public sealed class MessageCodecTests
{
    private static readonly Gen<Address> Addresses =
        from type in Gen.Elements(TransportType.Local, TransportType.Tcp, TransportType.Memory, TransportType.Mqtt)
        from value in Generators.Bytes(1, 40)
        select new Address(type, value);

    private static readonly Gen<Route> Routes =
        from count in Gen.Choose(0, Route.MaxHops)
        from hops in Gen.ListOf(Addresses, count)
        select Route.Of(hops);

    private static readonly Gen<Message> Messages =
        from onward in Routes
        from back in Routes
        from payload in Generators.Bytes(0, 200)
        select new Message(onward, back, payload);

    private readonly List<byte[]> samples = [.. Messages.Sample(8, 5).Select(MessageCodec.Encode)];

    [Property(MaxTest = 1000)]
    public Property Every_message_survives_encoding() => Prop.ForAll(Messages.ToArbitrary(), message =>
    {
        var decoded = MessageCodec.Decode(MessageCodec.Encode(message), 1 << 20);
        return decoded.OnwardRoute.Equals(message.OnwardRoute) && decoded.ReturnRoute.Equals(message.ReturnRoute) && decoded.Payload.Span.SequenceEqual(message.Payload.Span);
    });

    [Property(MaxTest = 10_000)]
    public Property Hostile_bytes_decode_or_fail_with_a_decode_error() => Prop.ForAll(Generators.Hostile(samples).ToArbitrary(), bytes =>
    {
        try
        {
            MessageCodec.Decode(bytes, 1 << 20);
        }
        catch (OckamDecodeException)
        {
        }
    });

    [Fact]
    public void The_wire_form_is_the_documented_CBOR()
    {
        var message = new Message(Route.Of(Address.Local("echo")), Route.Of(Address.Tcp("h:1")), new byte[] { 0xAB });

        // {0: 1, 1: [[0, h'6563686f']], 2: [[1, h'683a31']], 3: h'ab'}
        Assert.Equal("a4000101818200446563686f02818201436" + "83a310341ab", Convert.ToHexStringLower(MessageCodec.Encode(message)));
    }

    [Fact]
    public void Routes_over_16_hops_unknown_transports_versions_and_trailing_bytes_are_refused()
    {
        Assert.Equal(RoutingError.RouteTooLong, Assert.Throws<RoutingException>(() => Route.Of(Enumerable.Repeat(Address.Local("x"), 17))).Error);

        var seventeen = "a40001" + "0191" + string.Concat(Enumerable.Repeat("82004178", 17)) + "0280" + "0340";
        Assert.Contains("17 items", Assert.Throws<OckamDecodeException>(() => MessageCodec.Decode(Convert.FromHexString(seventeen), 4096)).Message);
        Assert.Contains("transport type 9", Assert.Throws<OckamDecodeException>(() => MessageCodec.Decode(Convert.FromHexString("a4000101818209417802800340"), 4096)).Message);
        Assert.Contains("version 2", Assert.Throws<OckamDecodeException>(() => MessageCodec.Decode(Convert.FromHexString("a400020180028003 40".Replace(" ", "", StringComparison.Ordinal)), 4096)).Message);
        Assert.Contains("trailing", Assert.Throws<OckamDecodeException>(() => MessageCodec.Decode(Convert.FromHexString("a4000101800280034000"), 4096)).Message);
        Assert.Contains("exceeds", Assert.Throws<OckamDecodeException>(() => MessageCodec.Decode(new byte[5000], 4096)).Message);
    }
}
