using System.Formats.Cbor;

namespace Ockam.Identity.Encoding;

/// <summary>Writes canonical CBOR, so that the same value always has the same bytes.</summary>
public static class CborEncoder
{
    /// <summary>The canonical encoding of what <paramref name="write"/> writes.</summary>
    public static byte[] Encode(Action<CborWriter> write)
    {
        var writer = new CborWriter(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);
        write(writer);
        return writer.Encode();
    }

    internal static void WriteTimestamp(this CborWriter writer, DateTimeOffset value) =>
        writer.WriteUInt64(Timestamp.ToUnixSeconds(value));
}
