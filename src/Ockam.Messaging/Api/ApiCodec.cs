using System.Formats.Cbor;
using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api;

/// <summary>The <c>{text: bytes}</c> maps of requests and responses, in canonical key order.</summary>
internal static class ApiCodec
{
    public const int MaxNameSize = 256;

    public static void WriteNamedBytes(CborWriter w, IReadOnlyDictionary<string, byte[]> values)
    {
        w.WriteStartMap(values.Count);
        foreach (var (name, value) in values.OrderBy(v => v.Key, CanonicalTextOrder.Instance))
        {
            w.WriteTextString(name);
            w.WriteByteString(value);
        }

        w.WriteEndMap();
    }

    public static Dictionary<string, byte[]> ReadNamedBytes(CborDecoder d, int maxEntries)
    {
        var count = d.ReadMapStart(maxEntries);
        var values = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            // The canonical reader already refuses duplicate and unsorted keys.
            values[d.ReadText(MaxNameSize)] = d.ReadBytes(0, ApiResponse.MaxSize);
        }

        d.ReadMapEnd();
        return values;
    }
}
