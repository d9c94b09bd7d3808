using Ockam.Identity.Encoding;

namespace Ockam.Grains.Authority;

/// <summary>
/// A member's attributes as one column: a canonical CBOR map of name to bytes, with the credential's bounds. The
/// database is the silo's own, but a damaged or tampered row is still refused with a typed error, not trusted.
/// </summary>
internal static class MemberAttributes
{
    /// <summary>The most an encoding can take within the bounds (names, values and CBOR heads).</summary>
    public const int MaxSize = CborLimits.MaxAttributes * (CborLimits.MaxAttributeNameSize + CborLimits.MaxAttributeValueSize + 8) + 8;

    public static byte[] Encode(IReadOnlyDictionary<string, byte[]> attributes) =>
        CborEncoder.Encode(w =>
        {
            w.WriteStartMap(attributes.Count);
            foreach (var (name, value) in attributes.OrderBy(a => a.Key, CanonicalTextOrder.Instance))
            {
                w.WriteTextString(name);
                w.WriteByteString(value);
            }

            w.WriteEndMap();
        });

    /// <exception cref="OckamDecodeException">Malformed or out of bounds.</exception>
    public static Dictionary<string, byte[]> Decode(byte[] encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "member attributes", d =>
        {
            var count = d.ReadMapStart(CborLimits.MaxAttributes);
            var attributes = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                attributes[d.ReadText(CborLimits.MaxAttributeNameSize)] = d.ReadBytes(0, CborLimits.MaxAttributeValueSize);
            }

            d.ReadMapEnd();
            return attributes;
        });
}
