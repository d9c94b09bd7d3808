using Ockam.Identity.Encoding;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Api;

/// <summary>
/// What a gateway sends to a relay owner's <c>relay-inbox</c>: <c>{0: version, 1: relay, 2: sequence, 3: envelope,
/// 4: from-service, 5: sender}</c>, the envelope being the relayed message (its remaining route and ciphertext payload)
/// in the message codec, from-service true when the service made it (group fan-out) rather than relayed it for a peer,
/// and sender the identifier of that peer as its channel to the silo proved it (empty for the service).
/// The owner acknowledges the sequence, unless it is <see cref="Unstored"/>; its own channel decrypts the payload.
/// </summary>
public sealed record RelayDelivery(string Relay, ulong Sequence, byte[] Envelope, bool FromService, string Sender)
{
    public const uint Version = 2;

    /// <summary>The well-known worker of an edge node that receives relayed messages.</summary>
    public const string InboxAddress = "relay-inbox";

    /// <summary>The gateway worker that relays: a route to relay "phone" is [..., "relay", "phone", ...].</summary>
    public const string RelayAddress = "relay";

    /// <summary>
    /// The gateway worker that relays live: pushed to the owner's connection if it is connected, never stored, and
    /// replies come back the same way (a portal's stream). A route to relay "db" is [..., "relay.live", "db", ...].
    /// </summary>
    public const string LiveRelayAddress = "relay.live";

    public const int MaxSize = 260 * 1024;

    /// <summary>The sequence of a delivery pushed live and never stored (a group's, whose log is the durable copy); stored ones count from 1, so there is nothing to acknowledge.</summary>
    public const ulong Unstored = 0;

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(6);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteTextString(Relay);
        w.WriteUInt32(2);
        w.WriteUInt64(Sequence);
        w.WriteUInt32(3);
        w.WriteByteString(Envelope);
        w.WriteUInt32(4);
        w.WriteBoolean(FromService);
        w.WriteUInt32(5);
        w.WriteTextString(Sender);
        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static RelayDelivery Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "relay delivery", d =>
        {
            if (d.ReadMapStart(6) != 6)
            {
                throw d.Error("a relay delivery has exactly six fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var relay = d.ReadText(Address.MaxValueLength);
            d.ExpectKey(2);
            var sequence = d.ReadUInt64();
            d.ExpectKey(3);
            var envelope = d.ReadBytes(1, MaxSize);
            d.ExpectKey(4);
            var fromService = d.ReadBoolean();
            d.ExpectKey(5);
            var sender = d.ReadText(128);
            d.ReadMapEnd();
            return new RelayDelivery(relay, sequence, envelope, fromService, sender);
        });

    /// <summary>The relayed message itself.</summary>
    public Message Open() => MessageCodec.Decode(Envelope, MaxSize);
}
