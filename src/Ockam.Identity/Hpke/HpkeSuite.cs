using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ockam.Identity.Hpke;

/// <summary>The one suite: DHKEM(X25519, HKDF-SHA256) = 0x0020, HKDF-SHA256 = 0x0001, AES-256-GCM = 0x0002.</summary>
internal static class HpkeSuite
{
    public const ushort KemId = 0x0020;
    public const ushort KdfId = 0x0001;
    public const ushort AeadId = 0x0002;
    public const int KeyLength = 32;
    public const int NonceLength = 12;
    public const int HashLength = 32;

    /// <summary>"KEM" ‖ I2OSP(kem_id, 2).</summary>
    public static readonly byte[] KemSuiteId = [.. "KEM"u8, 0x00, 0x20];

    /// <summary>"HPKE" ‖ kem_id ‖ kdf_id ‖ aead_id.</summary>
    public static readonly byte[] SuiteId = [.. "HPKE"u8, 0x00, 0x20, 0x00, 0x01, 0x00, 0x02];

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    /// <summary>The IKM prefix of LabeledExtract: "HPKE-v1" ‖ suite_id ‖ label (the IKM follows it).</summary>
    public static byte[] LabeledIkmPrefix(byte[] suiteId, string label) => [.. Version, .. suiteId, .. System.Text.Encoding.ASCII.GetBytes(label)];

    /// <summary>The info of LabeledExpand: I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info.</summary>
    public static byte[] LabeledInfo(byte[] suiteId, string label, ReadOnlySpan<byte> info, int length)
    {
        var prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, checked((ushort)length));
        return [.. prefix, .. Version, .. suiteId, .. System.Text.Encoding.ASCII.GetBytes(label), .. info];
    }

    /// <summary>LabeledExtract over public input (psk_id_hash, info_hash): no secret involved, so no vault.</summary>
    public static byte[] PublicLabeledExtract(byte[] suiteId, string label, ReadOnlySpan<byte> ikm)
    {
        var prk = new byte[HashLength];
        HKDF.Extract(HashAlgorithmName.SHA256, [.. LabeledIkmPrefix(suiteId, label), .. ikm], [], prk);
        return prk;
    }
}
