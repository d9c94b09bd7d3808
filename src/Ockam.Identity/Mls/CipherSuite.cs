using Ockam.Identity.Hpke;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// An MLS cipher suite (RFC 9420 §5.1). Only 0x0001, MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, is
/// implemented: KEM DHKEM(X25519, HKDF-SHA256), AEAD AES-128-GCM, hash SHA-256, KDF HKDF-SHA256 and
/// signature Ed25519. The suite fixes the sizes the RFC names Nh, Nk and Nn.
/// </summary>
internal sealed class CipherSuite
{
    private CipherSuite(ushort id, HpkeSuite hpke, int nh, int nk, int nn)
    {
        Id = id;
        Hpke = hpke;
        Nh = nh;
        Nk = nk;
        Nn = nn;
    }

    /// <summary>MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (0x0001).</summary>
    public static CipherSuite Mls128DhKemX25519Aes128GcmSha256Ed25519 { get; } = new(0x0001, HpkeSuite.X25519Sha256Aes128Gcm, nh: 32, nk: 16, nn: Aead.NonceSize);

    /// <summary>The suite's CipherSuite value on the wire.</summary>
    public ushort Id { get; }

    /// <summary>The HPKE suite that EncryptWithLabel uses (RFC 9420 §5.1.3).</summary>
    public HpkeSuite Hpke { get; }

    /// <summary>Nh: the output size of the hash and of KDF.Extract (SHA-256).</summary>
    public int Nh { get; }

    /// <summary>Nk: the AEAD key size (AES-128-GCM).</summary>
    public int Nk { get; }

    /// <summary>Nn: the AEAD nonce size (AES-128-GCM).</summary>
    public int Nn { get; }

    /// <summary>The vault key of an MLS secret of Nh bytes.</summary>
    public KeySpec SecretSpec => new(KeyType.Secret, Nh);

    /// <summary>The vault key of an AEAD key of Nk bytes.</summary>
    public KeySpec AeadKeySpec => new(KeyType.AesGcm, Nk);

    /// <summary>The suite with wire value <paramref name="id"/>.</summary>
    /// <exception cref="MlsCryptoException">The suite is not one this implementation supports.</exception>
    public static CipherSuite FromId(ushort id) =>
        id == Mls128DhKemX25519Aes128GcmSha256Ed25519.Id
            ? Mls128DhKemX25519Aes128GcmSha256Ed25519
            : throw new MlsCryptoException($"cipher suite 0x{id:x4} is not supported (only 0x0001)");

    public override string ToString() => "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";
}
