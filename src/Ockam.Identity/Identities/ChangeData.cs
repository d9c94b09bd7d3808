using System.Formats.Cbor;
using Ockam.Identity.Encoding;

namespace Ockam.Identity.Identities;

/// <summary>
/// The signed content of one change in an identity's history:
/// <c>{0: version, 1: previous_change_hash?, 2: primary_public_key, 3: created_at, 4: expires_at, 5: revoked, 6: revoke_purpose_keys}</c>.
/// </summary>
public sealed record ChangeData(
    ByteString? PreviousChangeHash,
    ByteString PrimaryPublicKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    bool Revoked,
    bool RevokePurposeKeys)
{
    public const uint Version = 1;
    private const int MaxSize = 256;

    /// <summary>A SHA-256 hash of the previous change's data.</summary>
    private const int HashLength = 32;

    /// <summary>An Ed25519 public key (RFC 8032 §5.1.5).</summary>
    private const int KeyLength = 32;

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(PreviousChangeHash is null ? 6 : 7);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        if (PreviousChangeHash is { } previous)
        {
            w.WriteUInt32(1);
            w.WriteByteString(previous.AsSpan());
        }

        w.WriteUInt32(2);
        w.WriteByteString(PrimaryPublicKey.AsSpan());
        w.WriteUInt32(3);
        w.WriteTimestamp(CreatedAt);
        w.WriteUInt32(4);
        w.WriteTimestamp(ExpiresAt);
        w.WriteUInt32(5);
        w.WriteBoolean(Revoked);
        w.WriteUInt32(6);
        w.WriteBoolean(RevokePurposeKeys);
        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, non-canonical or of an unknown version.</exception>
    public static ChangeData Decode(ReadOnlyMemory<byte> encoded) => CborDecoder.Decode(encoded, MaxSize, "change data", d =>
    {
        var count = d.ReadMapStart(7);
        if (count is not (6 or 7))
        {
            throw d.Error($"expected 6 or 7 fields, found {count}");
        }

        d.ReadVersion(Version);
        ByteString? previous = null;
        if (count == 7)
        {
            d.ExpectKey(1);
            previous = ByteString.Own(d.ReadFixedBytes(HashLength));
        }

        d.ExpectKey(2);
        var key = ByteString.Own(d.ReadFixedBytes(KeyLength));
        d.ExpectKey(3);
        var created = d.ReadTimestamp();
        d.ExpectKey(4);
        var expires = d.ReadTimestamp();
        d.ExpectKey(5);
        var revoked = d.ReadBoolean();
        d.ExpectKey(6);
        var revokePurposeKeys = d.ReadBoolean();
        d.ReadMapEnd();
        return new ChangeData(previous, key, created, expires, revoked, revokePurposeKeys);
    });
}
