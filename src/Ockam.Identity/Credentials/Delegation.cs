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
        if (names.Count > CborLimits.MaxAttributes || names.Any(n => n.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(n) > CborLimits.MaxAttributeNameSize))
        {
            throw new ArgumentException($"a delegation names at most {CborLimits.MaxAttributes} non-empty attribute names of at most {CborLimits.MaxAttributeNameSize} bytes");
        }

        var encoded = CborEncoder.Encode(w =>
        {
            w.WriteStartArray(names.Count);
            foreach (var name in names)
            {
                w.WriteTextString(name);
            }

            w.WriteEndArray();
        });
        return encoded.Length <= CborLimits.MaxAttributeValueSize
            ? encoded
            : throw new ArgumentException($"a delegation attribute may not exceed {CborLimits.MaxAttributeValueSize} bytes");
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
