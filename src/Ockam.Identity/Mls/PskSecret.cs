using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// The psk_secret that injects a Commit's PSKs into the key schedule (RFC 9420 §8.4):
/// <code>
/// struct { PreSharedKeyID id; uint16 index; uint16 count; } PSKLabel;
/// psk_extracted_[i] = KDF.Extract(0, psk_[i])
/// psk_input_[i]     = ExpandWithLabel(psk_extracted_[i], "derived psk", PSKLabel, KDF.Nh)
/// psk_secret_[0]    = 0
/// psk_secret_[i]    = KDF.Extract(psk_input_[i-1], psk_secret_[i-1])
/// psk_secret        = psk_secret_[n]
/// </code>
/// The PSKs and every intermediate stay in the vault; the intermediates are deleted as they are used.
/// </summary>
internal static class PskSecret
{
    /// <summary>psk_secret of <paramref name="psks"/>, in order (the all-zero secret when there are none), as a new vault handle.</summary>
    public static KeyHandle Derive(IVault vault, CipherSuite suite, IReadOnlyList<(PreSharedKeyId Id, KeyHandle Psk)> psks)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(psks);
        if (psks.Count > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(psks), psks.Count, "PSKLabel counts PSKs in a uint16");
        }

        // "0" is a string of Nh zero bytes: public, so it may enter the vault from here.
        var pskSecret = vault.ImportEphemeralKey(KeyType.Secret, new byte[suite.Nh]);
        for (var i = 0; i < psks.Count; i++)
        {
            var (id, psk) = psks[i];
            ArgumentNullException.ThrowIfNull(id);
            var extracted = vault.HkdfExtract(null, [], [psk]);
            KeyHandle input;
            try
            {
                input = KeyDerivation.ExpandWithLabel(vault, extracted, "derived psk", PskLabel(id, (ushort)i, (ushort)psks.Count), suite.SecretSpec);
            }
            finally
            {
                vault.DeleteEphemeralKey(extracted);
            }

            var next = vault.HkdfExtract(input, [], [pskSecret]);
            vault.DeleteEphemeralKey(input);
            vault.DeleteEphemeralKey(pskSecret);
            pskSecret = next;
        }

        return pskSecret;
    }

    private static byte[] PskLabel(PreSharedKeyId id, ushort index, ushort count)
    {
        var writer = new MlsWriter();
        id.Write(writer);
        writer.WriteUInt16(index);
        writer.WriteUInt16(count);
        return writer.ToArray();
    }
}
