using System.Buffers.Binary;
using Ockam.Identity.Vault;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// Noise CipherState for AESGCM: a key handle and a 64-bit counter; the 96-bit nonce is
/// 32 zero bits followed by the big-endian counter (Noise spec rev. 34, §12.4).
/// </summary>
internal sealed class CipherState(IVault vault, KeyHandle? key = null)
{
    public KeyHandle? Key { get; private set; } = key;

    public ulong Nonce { get; private set; }

    public bool HasKey => Key is not null;

    public void Initialize(KeyHandle key)
    {
        Key = key;
        Nonce = 0;
    }

    public void Clear()
    {
        Key = null;
        Nonce = 0;
    }

    public byte[] EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        if (Key is null)
        {
            return plaintext.ToArray();
        }

        var output = new byte[plaintext.Length + Aead.TagSize];
        vault.Encrypt(Key, NextNonce(), plaintext, associatedData, output);
        return output;
    }

    public byte[]? TryDecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
    {
        if (Key is null)
        {
            return ciphertext.ToArray();
        }

        if (ciphertext.Length < Aead.TagSize)
        {
            return null;
        }

        var nonce = NonceBytes(Nonce);
        var output = new byte[ciphertext.Length - Aead.TagSize];
        if (!vault.TryDecrypt(Key, nonce, ciphertext, associatedData, output))
        {
            return null;
        }

        // The counter moves only on success, as Noise requires.
        Nonce++;
        return output;
    }

    private byte[] NextNonce()
    {
        // 2^64-1 is reserved by Noise; a channel must rekey or close long before.
        if (Nonce == ulong.MaxValue)
        {
            throw new InvalidOperationException("nonce space exhausted");
        }

        return NonceBytes(Nonce++);
    }

    internal static byte[] NonceBytes(ulong counter)
    {
        var nonce = new byte[Aead.NonceSize];
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), counter);
        return nonce;
    }
}
