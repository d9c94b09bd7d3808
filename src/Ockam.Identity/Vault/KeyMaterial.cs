using System.Security.Cryptography;

namespace Ockam.Identity.Vault;

/// <summary>One secret held by <see cref="SoftwareVault"/>, in pinned memory that is zeroed on disposal.</summary>
internal sealed class KeyMaterial : IDisposable
{
    public const int MaxSecretLength = 255 * 32;

    private readonly Lock aeadLock = new();
    private readonly ICurve25519 curve;
    private IDisposable? aead;
    private bool disposed;

    public KeyMaterial(KeyType type, ReadOnlySpan<byte> secret, KeyPersistence persistence, ICurve25519 curve)
    {
        Validate(type, secret.Length);
        Type = type;
        Persistence = persistence;
        this.curve = curve;

        // Pinned so that the GC never leaves copies of the secret behind when it compacts.
        Secret = GC.AllocateUninitializedArray<byte>(secret.Length, pinned: true);
        secret.CopyTo(Secret);
        if (type is KeyType.Ed25519 or KeyType.X25519)
        {
            PublicKey = new byte[ICurve25519.KeySize];
            if (type == KeyType.Ed25519)
            {
                curve.Ed25519PublicKey(Secret, PublicKey);
            }
            else
            {
                curve.X25519PublicKey(Secret, PublicKey);
            }
        }
    }

    public KeyType Type { get; }

    public KeyPersistence Persistence { get; }

    public byte[] Secret { get; }

    public byte[]? PublicKey { get; }

    /// <summary>Whether the key has been deleted (and its secret zeroed).</summary>
    public bool IsDisposed => Volatile.Read(ref disposed);

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
            KeyType.AesGcm when Secret.Length == SodiumAes256Gcm.KeySize && curve is SodiumCurve25519 && SodiumAes256Gcm.IsAvailable => new SodiumAes256Gcm(Secret),
            KeyType.AesGcm => new AesGcm(Secret, Aead.TagSize),
            KeyType.ChaCha20Poly1305 => new ChaCha20Poly1305(Secret),
            _ => throw new VaultException($"a {Type} key cannot be used for AEAD"),
        };
    }

    public void Dispose()
    {
        lock (aeadLock)
        {
            disposed = true;
            aead?.Dispose();
            aead = null;
            CryptographicOperations.ZeroMemory(Secret);
        }
    }
}
