using System.Security.Cryptography;

namespace Ockam.Identity.Vault;

/// <summary>
/// One secret held by <see cref="SoftwareVault"/>, in pinned memory (<see cref="SecretMemory"/>) that is zeroed and
/// given back once the key is deleted and no operation still reads it.
/// </summary>
internal sealed class KeyMaterial : IDisposable
{
    public const int MaxSecretLength = 255 * 32;

    private readonly Lock aeadLock = new();
    private readonly ICurve25519 curve;
    private readonly SecretMemory memory;
    private readonly SecretMemory.Slot slot;
    private IDisposable? aead;
    private bool disposed;

    /// <summary>
    /// The vault's own lease (given up on disposal) and one per operation reading the secret: its slot is reused only
    /// after the last, so an operation racing a deletion can never read the next key's secret in its place.
    /// </summary>
    private int leases = 1;

    public KeyMaterial(KeyType type, ReadOnlySpan<byte> secret, KeyPersistence persistence, ICurve25519 curve, SecretMemory memory)
    {
        Validate(type, secret.Length);
        Type = type;
        Persistence = persistence;
        this.curve = curve;
        this.memory = memory;
        slot = memory.Rent(secret);
        try
        {
            if (type is KeyType.Ed25519 or KeyType.X25519)
            {
                PublicKey = new byte[ICurve25519.KeySize];
                if (type == KeyType.Ed25519)
                {
                    curve.Ed25519PublicKey(slot.Span, PublicKey);
                }
                else
                {
                    curve.X25519PublicKey(slot.Span, PublicKey);
                }
            }
        }
        catch
        {
            memory.Return(slot);
            throw;
        }
    }

    public KeyType Type { get; }

    public KeyPersistence Persistence { get; }

    /// <summary>The secret's length in bytes.</summary>
    public int Length => slot.Length;

    public byte[]? PublicKey { get; }

    /// <summary>Whether the key has been deleted (and its secret zeroed).</summary>
    public bool IsDisposed => Volatile.Read(ref disposed);

    /// <summary>The secret, for one operation: dispose the lease when done with it.</summary>
    /// <exception cref="VaultException">The key has been deleted.</exception>
    public SecretLease Lease() => TryRetain() ? new SecretLease(this) : throw new VaultException("the key has been deleted");

    /// <summary>Holds the secret's memory until <see cref="Release"/>, unless the key has been deleted already.</summary>
    public bool TryRetain()
    {
        var current = Volatile.Read(ref leases);
        while (current > 0 && !IsDisposed)
        {
            var seen = Interlocked.CompareExchange(ref leases, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>The secret: read it only between a successful <see cref="TryRetain"/> and its <see cref="Release"/>.</summary>
    public ReadOnlySpan<byte> RetainedSecret => slot.Span;

    /// <summary>Gives up a hold taken by <see cref="TryRetain"/>; the last one gives the memory back, zeroed.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref leases);
        if (left == 0)
        {
            memory.Return(slot);
        }

        // A lease given up twice (a copy of it disposed too) would already have handed the slot on while in use.
        if (left < 0)
        {
            throw new InvalidOperationException("a key's secret was released more often than it was held");
        }
    }

    public static void Validate(KeyType type, int length)
    {
        var valid = type switch
        {
            KeyType.Ed25519 or KeyType.X25519 or KeyType.ChaCha20Poly1305 => length == 32,
            KeyType.AesGcm => length is 16 or 24 or 32,
            KeyType.Secret => length is >= 0 and <= MaxSecretLength,
            _ => throw new VaultException($"unknown key type {type}"),
        };
        if (!valid)
        {
            throw new VaultException($"a {type} key cannot be {length} bytes long");
        }
    }

    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext, Span<byte> tag)
    {
        // Cipher instances are cached (key expansion is not free) but are not thread-safe, and libsodium's state must not
        // be freed mid-call, hence the lock.
        lock (aeadLock)
        {
            switch (Cipher())
            {
                case SodiumAes256Gcm sodium:
                    sodium.Encrypt(nonce, plaintext, associatedData, ciphertext, tag);
                    break;
                case AesGcm gcm:
                    gcm.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
                    break;
                case ChaCha20Poly1305 chacha:
                    chacha.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
                    break;
            }
        }
    }

    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        lock (aeadLock)
        {
            try
            {
                switch (Cipher())
                {
                    case SodiumAes256Gcm sodium:
                        return sodium.TryDecrypt(nonce, ciphertext, tag, associatedData, plaintext);
                    case AesGcm gcm:
                        gcm.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                        break;
                    case ChaCha20Poly1305 chacha:
                        chacha.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                        break;
                }

                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                // .NET has already zeroed the plaintext buffer.
                return false;
            }
        }
    }

    private IDisposable Cipher()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return aead ??= Type switch
        {
            // The libsodium vault does AES-256 with libsodium too where the CPU allows (SodiumAes256Gcm: twice as fast).
            // Under aeadLock, before disposal: the vault's own lease still holds the slot.
            KeyType.AesGcm when slot.Length == SodiumAes256Gcm.KeySize && curve is SodiumCurve25519 && SodiumAes256Gcm.IsAvailable => new SodiumAes256Gcm(slot.Span),
            KeyType.AesGcm => new AesGcm(slot.Span, Aead.TagSize),
            KeyType.ChaCha20Poly1305 => new ChaCha20Poly1305(slot.Span),
            _ => throw new VaultException($"a {Type} key cannot be used for AEAD"),
        };
    }

    public void Dispose()
    {
        lock (aeadLock)
        {
            if (disposed)
            {
                return;
            }

            Volatile.Write(ref disposed, true);
            aead?.Dispose();
            aead = null;
        }

        Release();
    }

    /// <summary>A key's secret held for one operation (<see cref="Lease"/>).</summary>
    internal readonly ref struct SecretLease
    {
        private readonly KeyMaterial? material;

        public SecretLease(KeyMaterial material) => this.material = material;

        public ReadOnlySpan<byte> Secret => material is null ? [] : material.RetainedSecret;

        public void Dispose() => material?.Release();
    }
}
