using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Groups;

/// <summary>
/// One group message: <c>{0: version, 1: group, 2: epoch, 3: sender, 4: generation, 5: ciphertext, 6: signature}</c>.
/// The ciphertext is AES-256-GCM under the sender's ratchet key for that generation, with the header as
/// associated data; the signature (the sender's group signing key) covers fields 0–5.
/// </summary>
public sealed record GroupMessage(string Group, ulong Epoch, Identifier Sender, ulong Generation, byte[] Ciphertext, byte[] Signature)
{
    public const uint Version = 1;
    public const int MaxSize = 256 * 1024;

    public byte[] Encode() => CborEncoder.Encode(w => Write(w, withSignature: true));

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static GroupMessage Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "group message", d =>
        {
            if (d.ReadMapStart(7) != 7)
            {
                throw d.Error("a group message has exactly seven fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var group = d.ReadText(128);
            d.ExpectKey(2);
            var epoch = d.ReadUInt64();
            d.ExpectKey(3);
            var sender = GroupCommit.ReadIdentifier(d);
            d.ExpectKey(4);
            var generation = d.ReadUInt64();
            d.ExpectKey(5);
            var ciphertext = d.ReadBytes(16, MaxSize);
            d.ExpectKey(6);
            var signature = d.ReadFixedBytes(64);
            d.ReadMapEnd();
            return new GroupMessage(group, epoch, sender, generation, ciphertext, signature);
        });

    /// <summary>Whether the signature is the one <paramref name="signingKey"/> (the claimed sender's attested key) makes over fields 0–5.</summary>
    public bool IsSignedBy(IVault vault, ReadOnlySpan<byte> signingKey)
    {
        ArgumentNullException.ThrowIfNull(vault);
        return vault.Verify(signingKey, SigningDomain.ToBeSigned(SigningDomain.GroupMessage, SignedData()), Signature);
    }

    /// <summary>The associated data of the ciphertext: fields 0–4.</summary>
    internal static byte[] Header(string group, ulong epoch, Identifier sender, ulong generation) => CborEncoder.Encode(w =>
    {
        w.WriteStartArray(5);
        w.WriteUInt32(Version);
        w.WriteTextString(group);
        w.WriteUInt64(epoch);
        w.WriteTextString(sender.ToString());
        w.WriteUInt64(generation);
        w.WriteEndArray();
    });

    /// <summary>What the signature covers: fields 0–5.</summary>
    internal byte[] SignedData() => CborEncoder.Encode(w => Write(w, withSignature: false));

    private void Write(CborWriter w, bool withSignature)
    {
        w.WriteStartMap(withSignature ? 7 : 6);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteTextString(Group);
        w.WriteUInt32(2);
        w.WriteUInt64(Epoch);
        w.WriteUInt32(3);
        w.WriteTextString(Sender.ToString());
        w.WriteUInt32(4);
        w.WriteUInt64(Generation);
        w.WriteUInt32(5);
        w.WriteByteString(Ciphertext);
        if (withSignature)
        {
            w.WriteUInt32(6);
            w.WriteByteString(Signature);
        }

        w.WriteEndMap();
    }
}
