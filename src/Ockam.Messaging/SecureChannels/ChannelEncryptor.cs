using System.Buffers.Binary;
using Ockam.Identity.Vault;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// The sending half of an open channel: data message = 8-byte big-endian counter ‖ AES-256-GCM(plaintext),
/// the counter being the nonce (as in Noise: 4 zero bytes, then the counter). The key is replaced by
/// Noise REKEY every <c>rekeyInterval</c> messages. Counters never wrap: 2^64-2 is kept for the close
/// message and 2^64-1 is Noise's reserved nonce.
/// </summary>
internal sealed class ChannelEncryptor(IVault vault, KeyHandle key, ulong rekeyInterval) : IDisposable
{
    public const int CounterSize = 8;
    public const ulong CloseCounter = ulong.MaxValue - 1;

    private KeyHandle? current = key;
    private ulong epoch;

    /// <summary>The counter of the next message.</summary>
    public ulong Next { get; private set; }

    /// <summary>True once only the close message can still be sent.</summary>
    public bool Exhausted => Next >= CloseCounter;

    /// <summary>Encrypts a data message.</summary>
    /// <exception cref="InvalidOperationException">The counter space is used up: close the channel.</exception>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext)
    {
        if (Exhausted)
        {
            throw new InvalidOperationException("the channel's counter space is used up; only closing is left");
        }

        return Seal(Next++, plaintext);
    }

    /// <summary>Encrypts the close message under its own counter, whatever the state.</summary>
    public byte[] EncryptClose(ReadOnlySpan<byte> plaintext) => Seal(Exhausted ? CloseCounter : Next++, plaintext);

    /// <summary>Test hook: continue from <paramref name="counter"/> in the current key epoch.</summary>
    internal void SkipTo(ulong counter)
    {
        if (counter / rekeyInterval != epoch)
        {
            throw new ArgumentOutOfRangeException(nameof(counter), "skipping may not cross a rekey boundary");
        }

        Next = counter;
    }

    public void Dispose()
    {
        if (current is not null)
        {
            vault.DeleteEphemeralKey(current);
            current = null;
        }
    }

    private byte[] Seal(ulong counter, ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(current is null, this);
        while (counter / rekeyInterval > epoch)
        {
            var next = vault.Rekey(current);
            vault.DeleteEphemeralKey(current);
            current = next;
            epoch++;
        }

        var output = new byte[CounterSize + plaintext.Length + Aead.TagSize];
        BinaryPrimitives.WriteUInt64BigEndian(output, counter);
        vault.Encrypt(current, CipherState.NonceBytes(counter), plaintext, [], output.AsSpan(CounterSize));
        return output;
    }
}
