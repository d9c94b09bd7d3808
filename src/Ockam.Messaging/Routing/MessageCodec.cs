using System.Formats.Cbor;
using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Routing;

/// <summary>
/// The wire form of a <see cref="Message"/>: <c>{0: version, 1: onward route, 2: return route, 3: payload}</c>,
/// a route being <c>[[transport type, address bytes], ...]</c>. Canonical CBOR, strictly decoded.
/// </summary>
public static class MessageCodec
{
    public const uint Version = 1;

    public static byte[] Encode(Message message) => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(4);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        WriteRoute(w, message.OnwardRoute);
        w.WriteUInt32(2);
        WriteRoute(w, message.ReturnRoute);
        w.WriteUInt32(3);
        w.WriteByteString(message.Payload.Span);
        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, larger than <paramref name="maxSize"/>, a route over 16 hops, or an unknown version.</exception>
    public static Message Decode(ReadOnlyMemory<byte> encoded, int maxSize) =>
        CborDecoder.Decode(encoded, maxSize, "message", d =>
        {
            if (d.ReadMapStart(4) != 4)
            {
                throw d.Error("a message has exactly four fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var onward = ReadRoute(d);
            d.ExpectKey(2);
            var back = ReadRoute(d);
            d.ExpectKey(3);
            var payload = d.ReadBytes(0, maxSize);
            d.ReadMapEnd();
            return new Message(onward, back, payload);
        });

    private static void WriteRoute(CborWriter w, Route route)
    {
        w.WriteStartArray(route.Count);
        foreach (var hop in route)
        {
            w.WriteStartArray(2);
            w.WriteUInt32((byte)hop.Type);
            w.WriteByteString(hop.Value);
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    private static Route ReadRoute(CborDecoder d)
    {
        var count = d.ReadArrayStart(Route.MaxHops);
        var hops = new Address[count];
        for (var i = 0; i < count; i++)
        {
            if (d.ReadArrayStart(2) != 2)
            {
                throw d.Error("an address is [transport type, bytes]");
            }

            var type = d.ReadUInt32();
            if (type > byte.MaxValue || !Enum.IsDefined((TransportType)type))
            {
                throw d.Error($"unknown transport type {type}");
            }

            hops[i] = new Address((TransportType)type, d.ReadBytes(1, Address.MaxValueLength));
            d.ReadArrayEnd();
        }

        d.ReadArrayEnd();
        return Route.Of(hops);
    }
}
