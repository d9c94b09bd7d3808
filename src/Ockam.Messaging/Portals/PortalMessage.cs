using System.Formats.Cbor;
using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Portals;

/// <summary>
/// One message of a portal's stream, inside its end-to-end channel: <c>{0: version, 1: kind, 2: value[, 3: bytes]}</c>.
/// Each kind is a type of its own (<see cref="PortalOpen"/>, <see cref="PortalData"/>, ...); <see cref="Decode"/> is
/// bounded and strict: a field too many (a target, say) is malformed, not ignored.
/// </summary>
internal abstract class PortalMessage
{
    public const uint Version = 1;

    /// <summary>The largest data a message carries; the encoded message is at most <see cref="MaxSize"/>.</summary>
    public const int MaxData = 64 * 1024;

    public const int MaxSize = MaxData + 64;

    /// <summary>A reset's reason is at most this many UTF-8 bytes.</summary>
    public const int MaxReason = 128;

    public abstract PortalKind Kind { get; }

    /// <summary>The data this message carries (key 3), if any.</summary>
    protected virtual ReadOnlyMemory<byte>? Bytes => null;

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        var bytes = Bytes;
        w.WriteStartMap(bytes is null ? 3 : 4);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteUInt32((uint)Kind);
        w.WriteUInt32(2);
        WriteValue(w);
        if (bytes is { } data)
        {
            w.WriteUInt32(3);
            w.WriteByteString(data.Span);
        }

        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, oversized, of an unknown version or kind.</exception>
    public static PortalMessage Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "portal message", d =>
        {
            var fields = d.ReadMapStart(4);
            d.ReadVersion(Version);
            d.ExpectKey(1);
            var kind = (PortalKind)d.ReadUInt32();
            var expected = kind == PortalKind.Data ? 4 : 3;
            if (fields != expected)
            {
                throw d.Error($"a {kind} message has {expected} fields, not {fields}");
            }

            d.ExpectKey(2);
            PortalMessage message = kind switch
            {
                PortalKind.Open => new PortalOpen(Window(d)),
                PortalKind.Opened => new PortalOpened(Window(d)),
                PortalKind.Data => ReadData(d),
                PortalKind.Credit => new PortalCredit(Window(d)),
                PortalKind.End => new PortalEnd(d.ReadUInt64()),
                PortalKind.Reset => new PortalReset(d.ReadText(MaxReason)),
                _ => throw d.Error($"unknown kind {(uint)kind}"),
            };
            d.ReadMapEnd();
            return message;
        });

    protected abstract void WriteValue(CborWriter writer);

    private static uint Window(CborDecoder d) =>
        d.ReadUInt32() is var window and > 0 and <= PortalOptions.MaxWindow ? window : throw d.Error($"a window or credit is 1 to {PortalOptions.MaxWindow} bytes");

    private static PortalData ReadData(CborDecoder d)
    {
        var sequence = d.ReadUInt64();
        d.ExpectKey(3);
        return new PortalData(sequence, d.ReadBytes(1, MaxData));
    }
}
