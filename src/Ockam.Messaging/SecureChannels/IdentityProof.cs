using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// The encrypted payload of handshake messages 2 and 3:
/// <c>{0: version, 1: change history, 2: secure-channel static key attestation, 3: [credential presentation, ...]}</c>,
/// each member in its own canonical encoding.
/// </summary>
internal sealed record IdentityProof(byte[] ChangeHistory, byte[] Attestation, IReadOnlyList<byte[]> Credentials)
{
    public const uint Version = 1;

    /// <summary>History (64 KiB) and attestation, plus a share of the frame for credentials.</summary>
    public const int MaxSize = 200 * 1024;

    public static IdentityProof For(SecureChannelOptions options) =>
        new(options.Identity.History.Encode(), options.StaticKey.Attestation.Encode(), [.. options.Credentials.Select(c => c.Encode())]);

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(4);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteByteString(ChangeHistory);
        w.WriteUInt32(2);
        w.WriteByteString(Attestation);
        w.WriteUInt32(3);
        w.WriteStartArray(Credentials.Count);
        foreach (var credential in Credentials)
        {
            w.WriteByteString(credential);
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
            var history = d.ReadBytes(1, CborLimits.MaxHistorySize);
            d.ExpectKey(2);
            var attestation = d.ReadBytes(1, CborLimits.MaxCredentialSize);
            d.ExpectKey(3);
            var count = d.ReadArrayStart(SecureChannelOptions.MaxCredentials);
            var credentials = new byte[count][];
            for (var i = 0; i < count; i++)
            {
                credentials[i] = d.ReadBytes(1, CredentialPresentation.MaxSize);
            }

            d.ReadArrayEnd();
            d.ReadMapEnd();
            return new IdentityProof(history, attestation, credentials);
        });
}
