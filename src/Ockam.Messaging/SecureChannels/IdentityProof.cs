using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// The encrypted payload of handshake messages 2 and 3:
/// <c>{0: version, 1: change history, 2: secure-channel static key attestation, 3: [credential presentation, ...]}</c>,
/// each member in its own canonical encoding. Two proofs are equal when their bytes are.
/// </summary>
internal sealed record IdentityProof(ByteString ChangeHistory, ByteString Attestation, IReadOnlyList<ByteString> Credentials)
{
    public const uint Version = 1;

    /// <summary>History (64 KiB) and attestation, plus a share of the frame for credentials.</summary>
    public const int MaxSize = 200 * 1024;

    public static IdentityProof For(SecureChannelOptions options) =>
        new(
            ByteString.CopyFrom(options.Identity.History.Encode()),
            ByteString.CopyFrom(options.StaticKey.Attestation.Encode()),
            [.. options.Credentials.Select(c => ByteString.CopyFrom(c.Encode()))]);

    public bool Equals(IdentityProof? other) =>
        other is not null && ChangeHistory == other.ChangeHistory && Attestation == other.Attestation && Credentials.SequenceEqual(other.Credentials);

    public override int GetHashCode() => HashCode.Combine(ChangeHistory, Attestation, Credentials.Count);

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(4);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteByteString(ChangeHistory.AsSpan());
        w.WriteUInt32(2);
        w.WriteByteString(Attestation.AsSpan());
        w.WriteUInt32(3);
        w.WriteStartArray(Credentials.Count);
        foreach (var credential in Credentials)
        {
            w.WriteByteString(credential.AsSpan());
        }

        w.WriteEndArray();
        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static IdentityProof Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "identity proof", d =>
        {
            if (d.ReadMapStart(4) != 4)
            {
                throw d.Error("an identity proof has exactly four fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var history = ByteString.CopyFrom(d.ReadBytes(1, CborLimits.MaxHistorySize));
            d.ExpectKey(2);
            var attestation = ByteString.CopyFrom(d.ReadBytes(1, CborLimits.MaxCredentialSize));
            d.ExpectKey(3);
            var count = d.ReadArrayStart(SecureChannelOptions.MaxCredentials);
            var credentials = new ByteString[count];
            for (var i = 0; i < count; i++)
            {
                credentials[i] = ByteString.CopyFrom(d.ReadBytes(1, CredentialPresentation.MaxSize));
            }

            d.ReadArrayEnd();
            d.ReadMapEnd();
            return new IdentityProof(history, attestation, credentials);
        });
}
