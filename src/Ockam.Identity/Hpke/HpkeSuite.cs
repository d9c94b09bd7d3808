using System.Buffers.Binary;
using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Hpke;

/// <summary>
/// An HPKE ciphersuite (RFC 9180 §7): DHKEM(X25519, HKDF-SHA256) = 0x0020 and HKDF-SHA256 = 0x0001 with
/// one of the AES-GCM AEADs of <see cref="HpkeAead"/>. The suite fixes Nk and suite_id; everything else
/// is one implementation.
/// </summary>
public sealed class HpkeSuite
{
    internal const ushort KemId = 0x0020;
    internal const ushort KdfId = 0x0001;

    /// <summary>Nn: the AEAD nonce length (both AES-GCM AEADs).</summary>
    internal const int Nn = Aead.NonceSize;

    /// <summary>Nt: the AEAD tag length (both AES-GCM AEADs).</summary>
    internal const int Nt = Aead.TagSize;

    /// <summary>Nh: the output length of HKDF-SHA256's Extract, and Nsecret of DHKEM(X25519, HKDF-SHA256).</summary>
    internal const int Nh = 32;

    private readonly byte[] suiteId;

    private HpkeSuite(HpkeAead aead, int nk)
    {
        AeadId = aead;
        Nk = nk;
        suiteId = [.. "HPKE"u8, .. I2Osp2(KemId), .. I2Osp2(KdfId), .. I2Osp2((ushort)aead)];
    }

    /// <summary>DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM: MLS ciphersuite 1's HPKE.</summary>
    public static HpkeSuite X25519Sha256Aes128Gcm { get; } = new(HpkeAead.Aes128Gcm, 16);

    /// <summary>DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM: the suite rooms seal epoch secrets with.</summary>
    public static HpkeSuite X25519Sha256Aes256Gcm { get; } = new(HpkeAead.Aes256Gcm, 32);

    /// <summary>The suite's aead_id.</summary>
    public HpkeAead AeadId { get; }

    /// <summary>Nk: the AEAD key length in bytes.</summary>
    internal int Nk { get; }

    /// <summary>The vault key the key schedule derives: an AES-GCM key of Nk bytes.</summary>
    internal KeySpec KeySpec => new(KeyType.AesGcm, Nk);

    /// <summary>"KEM" ‖ I2OSP(kem_id, 2): the KEM's suite_id, kem_id being <see cref="KemId"/>.</summary>
    internal static ReadOnlySpan<byte> KemSuiteId => [(byte)'K', (byte)'E', (byte)'M', KemId >> 8, KemId & 0xFF];

    /// <summary>"HPKE" ‖ I2OSP(kem_id, 2) ‖ I2OSP(kdf_id, 2) ‖ I2OSP(aead_id, 2).</summary>
    internal ReadOnlySpan<byte> SuiteId => suiteId;

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    public override string ToString() => $"DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, {AeadId}";

    /// <summary>The IKM prefix of LabeledExtract: "HPKE-v1" ‖ suite_id ‖ label (the IKM follows it).</summary>
    internal static byte[] LabeledIkmPrefix(ReadOnlySpan<byte> suiteId, string label) => [.. Version, .. suiteId, .. System.Text.Encoding.ASCII.GetBytes(label)];

    /// <summary>The info of LabeledExpand: I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info.</summary>
    internal static byte[] LabeledInfo(ReadOnlySpan<byte> suiteId, string label, ReadOnlySpan<byte> info, int length) =>
        [.. I2Osp2(checked((ushort)length)), .. Version, .. suiteId, .. System.Text.Encoding.ASCII.GetBytes(label), .. info];

    /// <summary>LabeledExtract over public input (psk_id_hash, info_hash): no secret involved, so no vault.</summary>
    internal static byte[] PublicLabeledExtract(ReadOnlySpan<byte> suiteId, string label, ReadOnlySpan<byte> ikm)
    {
        var prk = new byte[Nh];
        HKDF.Extract(HashAlgorithmName.SHA256, [.. LabeledIkmPrefix(suiteId, label), .. ikm], [], prk);
        return prk;
    }

    private static byte[] I2Osp2(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
