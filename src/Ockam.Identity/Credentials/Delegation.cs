using Ockam.Identity.Encoding;

namespace Ockam.Identity.Credentials;

/// <summary>
/// The <c>ockam.delegate</c> attribute: a canonical CBOR array of the attribute names its holder may issue.
/// </summary>
public static class Delegation
{
    public const string AttributeName = "ockam.delegate";

    public static byte[] Encode(IEnumerable<string> attributeNames)
    {
        var names = attributeNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return CborEncoder.Encode(w =>
        {
            w.WriteStartArray(names.Count);
            foreach (var name in names)
            {
                w.WriteTextString(name);
            }

            w.WriteEndArray();
        });
    }

    /// <exception cref="OckamDecodeException">Malformed attribute value.</exception>
    public static IReadOnlySet<string> Decode(ReadOnlyMemory<byte> value) =>
        CborDecoder.Decode(value, CborLimits.MaxAttributeValueSize, "delegation attribute", d =>
        {
            var count = d.ReadArrayStart(CborLimits.MaxAttributes);
            var names = new HashSet<string>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                if (!names.Add(d.ReadText(CborLimits.MaxAttributeNameSize)))
                {
                    throw d.Error("duplicate attribute name");
                }
            }

            d.ReadArrayEnd();
            return names;
        });
}
