using System.Buffers.Binary;

namespace Ockam.Identity.Vault;

/// <summary>
/// The layout of a key wrapped by <see cref="IVault.WrapKey"/>: <c>type (1) ‖ nonce (12) ‖ AES-256-GCM(secret) ‖ tag (16)</c>.
/// The associated data is <c>"ockam vault wrap 1" ‖ type ‖ uint16 length ‖ the caller's</c>, so that a blob whose type
/// byte or length is changed — a Secret passed off as an AES key, a key cut short — does not unwrap.
/// </summary>
internal static class KeyWrap
{
    /// <summary>What a wrapped key adds to its secret: the type byte, the nonce and the tag.</summary>
    public const int Overhead = 1 + Aead.NonceSize + Aead.TagSize;

    private static ReadOnlySpan<byte> Label => "ockam vault wrap 1"u8;

    public static byte[] AssociatedData(KeyType type, int secretLength, ReadOnlySpan<byte> callers)
    {
        var associated = new byte[Label.Length + 3 + callers.Length];
        Label.CopyTo(associated);
        associated[Label.Length] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(associated.AsSpan(Label.Length + 1), (ushort)secretLength);
        callers.CopyTo(associated.AsSpan(Label.Length + 3));
        return associated;
    }
}
