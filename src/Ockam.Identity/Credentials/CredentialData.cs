using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Credentials;

/// <summary>
/// The signed content of a credential:
/// <c>{0: version, 1: subject, 2: issuer, 3: {name: value, ...}, 4: created_at, 5: expires_at, 6: serial}</c>.
/// </summary>
public sealed record CredentialData(
    Identifier Subject,
    Identifier Issuer,
    IReadOnlyDictionary<string, byte[]> Attributes,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    ulong Serial)
{
    public const uint Version = 1;

    public byte[] Encode()
    {
        ValidateAttributes(Attributes);
        var encoded = CborEncoder.Encode(w =>
        {
            w.WriteStartMap(7);
            w.WriteUInt32(0);
            w.WriteUInt32(Version);
            w.WriteUInt32(1);
            w.WriteByteString(Subject.ToBytes());
            w.WriteUInt32(2);
            w.WriteByteString(Issuer.ToBytes());
            w.WriteUInt32(3);
            w.WriteStartMap(Attributes.Count);
            foreach (var (name, value) in Attributes.OrderBy(a => a.Key, CanonicalTextOrder.Instance))
            {
                w.WriteTextString(name);
                w.WriteByteString(value);
            }

            w.WriteEndMap();
            w.WriteUInt32(4);
            w.WriteTimestamp(CreatedAt);
            w.WriteUInt32(5);
            w.WriteTimestamp(ExpiresAt);
            w.WriteUInt32(6);
            w.WriteUInt64(Serial);
            w.WriteEndMap();
        });
        return encoded.Length <= CborLimits.MaxCredentialSize
            ? encoded
            : throw new ArgumentException($"a credential may not exceed {CborLimits.MaxCredentialSize} bytes");
    }

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static CredentialData Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, CborLimits.MaxCredentialSize, "credential data", d =>
        {
            if (d.ReadMapStart(7) != 7)
            {
                throw d.Error("credential data has 7 fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var subject = Identifier.Read(d);
            d.ExpectKey(2);
            var issuer = Identifier.Read(d);
            d.ExpectKey(3);
            var count = d.ReadMapStart(CborLimits.MaxAttributes);
            var attributes = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                attributes[AttributeNames.Read(d)] = d.ReadBytes(0, CborLimits.MaxAttributeValueSize);
            }

            d.ReadMapEnd();
            d.ExpectKey(4);
            var created = d.ReadTimestamp();
            d.ExpectKey(5);
            var expires = d.ReadTimestamp();
            d.ExpectKey(6);
            var serial = d.ReadUInt64();
            d.ReadMapEnd();
            return new CredentialData(subject, issuer, attributes, created, expires, serial);
        });

    /// <summary>Equal when every field is, attributes compared by name and content (a record alone compares the dictionary's reference).</summary>
    public bool Equals(CredentialData? other) =>
        other is not null
        && Subject == other.Subject
        && Issuer == other.Issuer
        && CreatedAt == other.CreatedAt
        && ExpiresAt == other.ExpiresAt
        && Serial == other.Serial
        && Attributes.Count == other.Attributes.Count
        && Attributes.All(a => other.Attributes.TryGetValue(a.Key, out var value) && a.Value.AsSpan().SequenceEqual(value));

    public override int GetHashCode() => HashCode.Combine(Subject, Issuer, CreatedAt, ExpiresAt, Serial, Attributes.Count);

    /// <summary>The attribute as UTF-8 text, or null when absent or not valid UTF-8.</summary>
    public string? GetText(string name) => Attributes.TryGetValue(name, out var value) ? Utf8.TryDecode(value) : null;

    internal static void ValidateAttributes(IReadOnlyDictionary<string, byte[]> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes.Count > CborLimits.MaxAttributes)
        {
            throw new ArgumentException($"at most {CborLimits.MaxAttributes} attributes");
        }

        foreach (var (name, value) in attributes)
        {
            if (!AttributeNames.IsValid(name) || value.Length > CborLimits.MaxAttributeValueSize)
            {
                throw new ArgumentException($"attribute '{name}' is empty or too large");
            }
        }
    }
}
