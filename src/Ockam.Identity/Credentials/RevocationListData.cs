using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Credentials;

/// <summary>
/// The signed content of a revocation list:
/// <c>{0: version, 1: issuer, 2: sequence, 3: issued_at, 4: next_update, 5: [serial, ...] strictly ascending}</c>.
/// </summary>
public sealed record RevocationListData(
    Identifier Issuer,
    ulong Sequence,
    DateTimeOffset IssuedAt,
    DateTimeOffset NextUpdate,
    IReadOnlyList<ulong> RevokedSerials)
{
    public const uint Version = 1;

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(6);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteByteString(Issuer.ToBytes());
        w.WriteUInt32(2);
        w.WriteUInt64(Sequence);
        w.WriteUInt32(3);
        w.WriteTimestamp(IssuedAt);
        w.WriteUInt32(4);
        w.WriteTimestamp(NextUpdate);
        w.WriteUInt32(5);
        var serials = RevokedSerials.Distinct().Order().ToList();
        w.WriteStartArray(serials.Count);
        foreach (var serial in serials)
        {
            w.WriteUInt64(serial);
        }

        w.WriteEndArray();
        w.WriteEndMap();
    });

    /// <summary>Equal when every field is, serials compared in order (a record alone compares the list's reference).</summary>
    public bool Equals(RevocationListData? other) =>
        other is not null
        && Issuer == other.Issuer
        && Sequence == other.Sequence
        && IssuedAt == other.IssuedAt
        && NextUpdate == other.NextUpdate
        && RevokedSerials.SequenceEqual(other.RevokedSerials);

    public override int GetHashCode() => HashCode.Combine(Issuer, Sequence, IssuedAt, NextUpdate, RevokedSerials.Count);

    /// <exception cref="OckamDecodeException">Malformed, unsorted, oversized or of an unknown version.</exception>
    public static RevocationListData Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, CborLimits.MaxRevocationListSize, "revocation list data", d =>
        {
            if (d.ReadMapStart(6) != 6)
            {
                throw d.Error("revocation list data has 6 fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var issuer = Identifier.Read(d);
            d.ExpectKey(2);
            var sequence = d.ReadUInt64();
            d.ExpectKey(3);
            var issued = d.ReadTimestamp();
            d.ExpectKey(4);
            var next = d.ReadTimestamp();
            d.ExpectKey(5);
            var count = d.ReadArrayStart(CborLimits.MaxRevokedSerials);
            var serials = new List<ulong>(Math.Min(count, 1024));
            for (var i = 0; i < count; i++)
            {
                var serial = d.ReadUInt64();
                if (serials.Count > 0 && serial <= serials[^1])
                {
                    throw d.Error("revoked serials must be strictly ascending");
                }

                serials.Add(serial);
            }

            d.ReadArrayEnd();
            d.ReadMapEnd();
            return new RevocationListData(issuer, sequence, issued, next, serials);
        });
}
