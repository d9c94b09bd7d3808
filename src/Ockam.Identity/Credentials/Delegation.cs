using Ockam.Identity.Encoding;

namespace Ockam.Identity.Credentials;

/// <summary>
/// The <c>ockam.delegate</c> attribute: a canonical CBOR array of the attribute names its holder may issue,
/// unique and in ascending ordinal order.
/// </summary>
public static class Delegation
{
    public const string AttributeName = "ockam.delegate";

    public static byte[] Encode(IEnumerable<string> attributeNames)
    {
        var names = attributeNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (names.Count > CborLimits.MaxAttributes || !names.All(AttributeNames.IsValid))
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
            var names = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                var name = AttributeNames.Read(d);

                // Strictly ascending, as Encode writes them: one set of names has one encoding.
                if (names.Count > 0 && string.CompareOrdinal(name, names[^1]) <= 0)
                {
                    throw d.Error("delegated attribute names must be unique and in ascending order");
                }

                names.Add(name);
            }

            d.ReadArrayEnd();
            return names.ToHashSet(StringComparer.Ordinal);
        });
}
