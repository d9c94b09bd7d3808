using System.Buffers.Binary;
using System.Security.Cryptography;
using Ockam.Identity.Vault;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Messaging.Tests.SecureChannels;

/// <summary>The data path without any I/O: counters, replay window, REKEY, and what a forger can and cannot move.</summary>
public sealed class ChannelCipherTests : IDisposable
{
    private readonly SoftwareVault vault = new();
    private readonly byte[] secret = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void Reordered_messages_inside_the_window_are_accepted_once_each_across_many_rekeys()
    {
        using var pair = Pair(rekeyInterval: 50, window: 256);
        var (encryptor, decryptor) = pair;
        var messages = Enumerable.Range(0, 3000).Select(i => encryptor.Encrypt(BitConverter.GetBytes(i))).ToList();

        // Shuffle within blocks of 200: every message arrives less than a window late.
        var random = new Random(7);
        var order = messages.Chunk(200).SelectMany(block => block.OrderBy(_ => random.Next())).ToList();
        var received = new HashSet<int>();
        foreach (var message in order)
        {
            Assert.Null(decryptor.TryDecrypt(message, out var plaintext));
            Assert.True(received.Add(BitConverter.ToInt32(plaintext)));
            Assert.True(decryptor.KeysHeld <= (256 / 50) + 3, $"{decryptor.KeysHeld} keys held");
        }

        Assert.Equal(3000, received.Count);

        // Every one of them again: replayed (inside the window) or too old (outside), never accepted.
        foreach (var message in order)
        {
            Assert.Contains(decryptor.TryDecrypt(message, out _), new DataRejection?[] { DataRejection.Replayed, DataRejection.TooOld });
        }
    }

    [Fact]
    public void A_message_older_than_the_window_is_refused_even_if_never_seen()
    {
        using var pair = Pair(rekeyInterval: 1UL << 16, window: 1024);
        var (encryptor, decryptor) = pair;
        var messages = Enumerable.Range(0, 1100).Select(_ => encryptor.Encrypt([1, 2, 3])).ToList();
        foreach (var message in messages.Skip(1))
        {
            Assert.Null(decryptor.TryDecrypt(message, out _));
        }

        Assert.Equal(DataRejection.TooOld, decryptor.TryDecrypt(messages[0], out _));
        Assert.Equal(DataRejection.Replayed, decryptor.TryDecrypt(messages[500], out _));
    }

    [Fact]
    public void A_forged_message_moves_nothing()
    {
        using var pair = Pair(rekeyInterval: 10, window: 32);
        var (encryptor, decryptor) = pair;
        var first = encryptor.Encrypt("first"u8);

        // A forger's message far ahead, with a bad tag: refused, and the window and keys stay where they were.
        var forged = new byte[8 + 16 + 5];
        BinaryPrimitives.WriteUInt64BigEndian(forged, 30);
        Assert.Equal(DataRejection.DecryptionFailed, decryptor.TryDecrypt(forged, out _));
        Assert.Equal(1, decryptor.KeysHeld);
        Assert.Null(decryptor.TryDecrypt(first, out var plaintext));
        Assert.Equal("first"u8.ToArray(), plaintext);

        // Too far ahead to be worth deriving keys for; short; the reserved counter.
        BinaryPrimitives.WriteUInt64BigEndian(forged, 10_000);
        Assert.Equal(DataRejection.TooFarAhead, decryptor.TryDecrypt(forged, out _));
        Assert.Equal(DataRejection.Malformed, decryptor.TryDecrypt(forged.AsSpan(0, 23), out _));
        BinaryPrimitives.WriteUInt64BigEndian(forged, ulong.MaxValue);
        Assert.Equal(DataRejection.Malformed, decryptor.TryDecrypt(forged, out _));
    }

    [Fact]
    public void The_key_after_an_interval_is_Noise_REKEY_of_the_one_before()
    {
        using var pair = Pair(rekeyInterval: 4, window: 8);
        var (encryptor, _) = pair;
        var messages = Enumerable.Range(0, 5).Select(_ => encryptor.Encrypt("payload"u8)).ToList();

        // REKEY(k) = first 32 bytes of ENCRYPT(k, 2^64-1, "", 32 zero bytes), computed here with AesGcm directly.
        var nonce = new byte[12];
        nonce.AsSpan(4).Fill(0xff);
        var rekeyed = new byte[32];
        using (var gcm = new AesGcm(secret, 16))
        {
            gcm.Encrypt(nonce, new byte[32], rekeyed, new byte[16]);
        }

        Assert.Equal("payload"u8.ToArray(), Open(secret, messages[3]));
        Assert.Equal("payload"u8.ToArray(), Open(rekeyed, messages[4]));
        Assert.Throws<AuthenticationTagMismatchException>(() => Open(secret, messages[4]));
    }

    [Fact]
    public void The_sender_stops_before_the_reserved_counters()
    {
        using var pair = Pair(rekeyInterval: ulong.MaxValue, window: 8);
        var (encryptor, decryptor) = pair;
        encryptor.SkipTo(ulong.MaxValue - 2);
        Assert.False(encryptor.Exhausted);
        var last = encryptor.Encrypt("last"u8);
        Assert.True(encryptor.Exhausted);
        Assert.Throws<InvalidOperationException>(() => encryptor.Encrypt("wrapped"u8));
        var close = encryptor.EncryptClose("close"u8);
        Assert.Equal(ulong.MaxValue - 1, BinaryPrimitives.ReadUInt64BigEndian(close));
        Assert.Null(decryptor.TryDecrypt(last, out _));
        Assert.Null(decryptor.TryDecrypt(close, out _));
    }

    public void Dispose() => vault.Dispose();

    private static byte[] Open(byte[] key, byte[] message)
    {
        var nonce = new byte[12];
        message.AsSpan(0, 8).CopyTo(nonce.AsSpan(4));
        var plaintext = new byte[message.Length - 8 - 16];
        using var gcm = new AesGcm(key, 16);
        gcm.Decrypt(nonce, message.AsSpan(8, plaintext.Length), message.AsSpan(8 + plaintext.Length), plaintext);
        return plaintext;
    }

    private CipherPair Pair(ulong rekeyInterval, int window) => new(
        new ChannelEncryptor(vault, vault.ImportEphemeralKey(KeyType.AesGcm, secret), rekeyInterval),
        new ChannelDecryptor(vault, vault.ImportEphemeralKey(KeyType.AesGcm, secret), rekeyInterval, window));

    private sealed record CipherPair(ChannelEncryptor Encryptor, ChannelDecryptor Decryptor) : IDisposable
    {
        public void Deconstruct(out ChannelEncryptor encryptor, out ChannelDecryptor decryptor) => (encryptor, decryptor) = (Encryptor, Decryptor);

        public void Dispose()
        {
            Encryptor.Dispose();
            Decryptor.Dispose();
        }
    }
}
