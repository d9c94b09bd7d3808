using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Ockam.Identity.Vault;

/// <summary>
/// A vault in process memory: Ed25519 and X25519 from libsodium or BouncyCastle (<see cref="Curve25519Provider"/>),
/// AES-GCM, ChaCha20-Poly1305, SHA-256 and HKDF from .NET. Opened on a file, it keeps persistent keys there: owner-only,
/// atomically replaced, checksummed, the same file whichever provider wrote it.
/// </summary>
public sealed class SoftwareVault : IVault, IDisposable
{
    private readonly ConcurrentDictionary<string, KeyMaterial> keys;
    private readonly ICurve25519 curve;
    private readonly string? path;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly VerifiedSignatures verified = new();
    private readonly SecretMemory memory;

    /// <summary>
    /// Secrets on their way into a key (or out as bytes) up to this size are worked on in stack memory, which the GC
    /// never moves or copies, and zeroed there; larger ones in pinned arrays. A pinned array per derived key (several
    /// per MLS message read) was most of the cost of reading one.
    /// </summary>
    private const int MaxStackScratch = 256;

    /// <summary>Set by <see cref="Dispose"/> in the write turn: no save after it.</summary>
    private bool disposed;

    /// <summary>Changes made to the persistent keys so far (each counted once the key map holds it).</summary>
    private long changes;

    /// <summary>The changes the file holds, every one up to this: written under <see cref="writeLock"/> only.</summary>
    private long saved;

    /// <summary>
    /// Key ids are this prefix (random per vault) and a counter: unique without a call to the system's random generator
    /// per key, which costs 3 µs here (a tenth of an X25519). An id taken already (by a key file's) is skipped.
    /// </summary>
    private readonly string idPrefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The counter of <see cref="idPrefix"/>.</summary>
    private long lastId;

    /// <summary>Creates a vault that lives only in memory; "persistent" keys last as long as it does.</summary>
    public SoftwareVault(Curve25519Provider provider = Curve25519Provider.Libsodium)
        : this(null, Curve(provider), new SecretMemory(), new Dictionary<string, KeyMaterial>())
    {
    }

    private SoftwareVault(string? path, ICurve25519 curve, SecretMemory memory, Dictionary<string, KeyMaterial> loaded)
    {
        this.path = path;
        this.curve = curve;
        this.memory = memory;
        keys = new ConcurrentDictionary<string, KeyMaterial>(loaded, StringComparer.Ordinal);
    }

    /// <summary>The key file, or null for an in-memory vault.</summary>
    public string? FilePath => path;

    /// <summary>Opens the vault stored at <paramref name="filePath"/> with libsodium's Curve25519.</summary>
    /// <exception cref="VaultException">The file is corrupt or readable by other users.</exception>
    public static Task<SoftwareVault> OpenAsync(string filePath, CancellationToken cancellationToken = default) =>
        OpenAsync(filePath, Curve25519Provider.Libsodium, cancellationToken);

    /// <summary>
    /// Opens the vault stored at <paramref name="filePath"/>. Without a file the vault starts empty and writes the
    /// file with its first persistent key: a node that never makes one pays no durable write for nothing.
    /// </summary>
    /// <exception cref="VaultException">The file is corrupt or readable by other users.</exception>
    public static async Task<SoftwareVault> OpenAsync(string filePath, Curve25519Provider provider, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var curve = Curve(provider);
        var memory = new SecretMemory();
        var loaded = File.Exists(filePath)
            ? await VaultFile.ReadAsync(filePath, curve, memory, cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, KeyMaterial>();
        return new SoftwareVault(filePath, curve, memory, loaded);
    }

    public async ValueTask<KeyHandle> GenerateKeyAsync(KeyType type, KeyPersistence persistence, CancellationToken cancellationToken = default) =>
        (await GenerateKeysAsync([type], persistence, cancellationToken).ConfigureAwait(false))[0];

    public async ValueTask<IReadOnlyList<KeyHandle>> GenerateKeysAsync(IReadOnlyList<KeyType> types, KeyPersistence persistence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(types);
        var materials = new List<KeyMaterial>(types.Count);
        Span<byte> secret = stackalloc byte[32];
        try
        {
            foreach (var type in types)
            {
                RandomNumberGenerator.Fill(secret);
                materials.Add(new KeyMaterial(type, secret, persistence, curve, memory));
            }
        }
        catch
        {
            materials.ForEach(m => m.Dispose());
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        return await AddAsync(materials, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<KeyHandle> ImportKeyAsync(KeyType type, ReadOnlyMemory<byte> secret, KeyPersistence persistence, CancellationToken cancellationToken = default) =>
        (await AddAsync([new KeyMaterial(type, secret.Span, persistence, curve, memory)], cancellationToken).ConfigureAwait(false))[0];

    public async ValueTask DeleteKeyAsync(KeyHandle key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!keys.TryRemove(key.Id, out var material))
        {
            return;
        }

        material.Dispose();
        if (material.Persistence == KeyPersistence.Persistent)
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public KeyHandle ImportEphemeralKey(KeyType type, ReadOnlySpan<byte> secret) =>
        AddEphemeral(type, secret);

    public void DeleteEphemeralKey(KeyHandle key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (keys.TryGetValue(key.Id, out var found) && found.Persistence == KeyPersistence.Persistent)
        {
            throw new VaultException($"{key} is persistent; delete it with DeleteKeyAsync");
        }

        if (keys.TryRemove(key.Id, out var material))
        {
            material.Dispose();
        }
    }

    public bool Contains(KeyHandle key) => keys.TryGetValue(key.Id, out var material) && material.Type == key.Type;

    public byte[] GetPublicKey(KeyHandle key)
    {
        var material = Get(key);
        return (byte[])(material.PublicKey ?? throw new VaultException($"a {key.Type} key has no public key")).Clone();
    }

    public byte[] Sign(KeyHandle key, ReadOnlySpan<byte> message)
    {
        var material = Get(key, KeyType.Ed25519);
        var signature = new byte[ICurve25519.SignatureSize];
        using var secret = material.Lease();
        curve.Sign(secret.Secret, material.PublicKey!, message, signature);

        // Valid by construction, so remembered as if verified: a node checking what it just attested (its own purpose
        // keys, on every enrolment and channel) pays a hash, not a verification. Only these exact bytes are vouched for.
        verified.Add(VerifiedSignatures.DigestOf(material.PublicKey!, message, signature));
        return signature;
    }

    /// <remarks>A signature that verified, or that this vault made, is remembered (<see cref="VerifiedSignatures"/>): the same bytes again cost a hash.</remarks>
    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != ICurve25519.KeySize || signature.Length != ICurve25519.SignatureSize)
        {
            return false;
        }

        var digest = VerifiedSignatures.DigestOf(publicKey, message, signature);
        if (verified.Contains(digest))
        {
            return true;
        }

        if (!curve.Verify(publicKey, message, signature))
        {
            return false;
        }

        verified.Add(digest);
        return true;
    }

    public KeyHandle DiffieHellman(KeyHandle privateKey, ReadOnlySpan<byte> peerPublicKey)
    {
        var material = Get(privateKey, KeyType.X25519);
        if (peerPublicKey.Length != ICurve25519.KeySize)
        {
            throw new VaultException($"an X25519 public key is {ICurve25519.KeySize} bytes, not {peerPublicKey.Length}");
        }

        // On the stack, which the GC never moves (so leaves no copy behind), and wiped below: a pinned array per
        // agreement costs 0.3 µs here.
        Span<byte> shared = stackalloc byte[ICurve25519.KeySize];
        using var secret = material.Lease();
        try
        {
            // Both libraries refuse a low-order peer key; check the result ourselves too, in constant time and for
            // every provider, since accepting it would let a low-order peer key fix the channel's keys.
            var agreed = curve.TryAgree(secret.Secret, peerPublicKey, shared);
            if (!agreed || CryptographicOperations.FixedTimeEquals(shared, stackalloc byte[ICurve25519.KeySize]))
            {
                throw new VaultException("X25519 produced an all-zero shared secret (low-order public key)");
            }

            return AddEphemeral(KeyType.Secret, shared);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    public byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    public IReadOnlyList<KeyHandle> DeriveKeys(KeyHandle? salt, KeyHandle inputKeyMaterial, ReadOnlySpan<byte> info, IReadOnlyList<KeySpec> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        // Checked as it adds up, before anything is allocated: the sum of many outputs must not wrap around.
        var total = 0;
        foreach (var spec in outputs)
        {
            KeyMaterial.Validate(spec.Type, spec.Length);
            total += spec.Length;
            if (total > 255 * 32)
            {
                throw new VaultException($"HKDF-SHA256 cannot produce more than {255 * 32} bytes");
            }
        }

        if (total == 0)
        {
            throw new VaultException($"HKDF-SHA256 cannot produce 0 bytes (1 to {255 * 32})");
        }

        using var ikm = Get(inputKeyMaterial, KeyType.Secret).Lease();
        using var saltBytes = salt is null ? default : Get(salt, KeyType.Secret).Lease();
        Span<byte> okm = total <= MaxStackScratch ? stackalloc byte[total] : GC.AllocateUninitializedArray<byte>(total, pinned: true);
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm.Secret, okm, saltBytes.Secret, info);
            var handles = new KeyHandle[outputs.Count];
            var offset = 0;
            for (var i = 0; i < outputs.Count; i++)
            {
                handles[i] = AddEphemeral(outputs[i].Type, okm.Slice(offset, outputs[i].Length));
                offset += outputs[i].Length;
            }

            return handles;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(okm);
        }
    }

    public KeyHandle HkdfExtract(KeyHandle? salt, ReadOnlySpan<byte> prefix, IReadOnlyList<KeyHandle> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var parts = secrets.Select(s => Get(s, KeyType.Secret)).ToList();
        var length = prefix.Length + parts.Sum(p => p.Length);
        using var saltBytes = salt is null ? default : Get(salt, KeyType.Secret).Lease();
        Span<byte> ikm = length <= MaxStackScratch ? stackalloc byte[length] : GC.AllocateUninitializedArray<byte>(length, pinned: true);
        Span<byte> prk = stackalloc byte[32];
        try
        {
            prefix.CopyTo(ikm);
            var offset = prefix.Length;
            foreach (var part in parts)
            {
                using var secret = part.Lease();
                secret.Secret.CopyTo(ikm[offset..]);
                offset += secret.Secret.Length;
            }

            HKDF.Extract(HashAlgorithmName.SHA256, ikm, saltBytes.Secret, prk);
            return AddEphemeral(KeyType.Secret, prk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    public KeyHandle HkdfExpand(KeyHandle prk, ReadOnlySpan<byte> info, KeySpec output)
    {
        KeyMaterial.Validate(output.Type, output.Length);
        ValidateExpansion(output.Length);
        Span<byte> okm = output.Length <= MaxStackScratch ? stackalloc byte[output.Length] : GC.AllocateUninitializedArray<byte>(output.Length, pinned: true);
        try
        {
            Expand(prk, info, okm);
            return AddEphemeral(output.Type, okm);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(okm);
        }
    }

    public byte[] HmacSha256(KeyHandle key, ReadOnlySpan<byte> data)
    {
        using var secret = Get(key, KeyType.Secret).Lease();
        return HMACSHA256.HashData(secret.Secret, data);
    }

    public byte[] HkdfExpandToBytes(KeyHandle prk, ReadOnlySpan<byte> info, int length)
    {
        // Straight into the caller's bytes: they leave the vault as plain bytes anyway.
        ValidateExpansion(length);
        var okm = new byte[length];
        Expand(prk, info, okm);
        return okm;
    }

    public void Encrypt(KeyHandle key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> destination)
    {
        CheckAeadArguments(nonce, destination.Length, plaintext.Length);
        Get(key).Encrypt(nonce, plaintext, associatedData, destination[..plaintext.Length], destination[plaintext.Length..]);
    }

    public bool TryDecrypt(KeyHandle key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertextAndTag, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        if (ciphertextAndTag.Length < Aead.TagSize)
        {
            return false;
        }

        CheckAeadArguments(nonce, ciphertextAndTag.Length, plaintext.Length);
        var split = ciphertextAndTag.Length - Aead.TagSize;
        return Get(key).TryDecrypt(nonce, ciphertextAndTag[..split], ciphertextAndTag[split..], associatedData, plaintext);
    }

    public KeyHandle Rekey(KeyHandle key)
    {
        var material = Get(key, KeyType.AesGcm);
        if (material.Length != 32)
        {
            throw new VaultException("REKEY is defined for 256-bit AES-GCM keys");
        }

        Span<byte> nonce = stackalloc byte[Aead.NonceSize];
        nonce[4..].Fill(0xff);
        Span<byte> output = stackalloc byte[32 + Aead.TagSize];
        try
        {
            material.Encrypt(nonce, stackalloc byte[32], [], output[..32], output[32..]);
            return AddEphemeral(KeyType.AesGcm, output[..32]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(output);
        }
    }

    public byte[] WrapKey(KeyHandle wrappingKey, KeyHandle key, ReadOnlySpan<byte> associatedData)
    {
        var wrapping = WrappingKey(wrappingKey);
        var material = Get(key);
        var secretLength = material.Length;
        var wrapped = new byte[KeyWrap.Overhead + secretLength];
        wrapped[0] = (byte)material.Type;
        var nonce = wrapped.AsSpan(1, Aead.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var secret = material.Lease();
        wrapping.Encrypt(
            nonce,
            secret.Secret,
            KeyWrap.AssociatedData(material.Type, secretLength, associatedData),
            wrapped.AsSpan(1 + Aead.NonceSize, secretLength),
            wrapped.AsSpan(1 + Aead.NonceSize + secretLength));
        return wrapped;
    }

    public KeyHandle UnwrapKey(KeyHandle wrappingKey, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData)
    {
        var wrapping = WrappingKey(wrappingKey);
        if (wrapped.Length <= KeyWrap.Overhead || wrapped.Length > KeyWrap.Overhead + KeyMaterial.MaxSecretLength)
        {
            throw new VaultException($"a wrapped key is {KeyWrap.Overhead + 1} to {KeyWrap.Overhead + KeyMaterial.MaxSecretLength} bytes, not {wrapped.Length}");
        }

        var type = (KeyType)wrapped[0];
        var secretLength = wrapped.Length - KeyWrap.Overhead;
        KeyMaterial.Validate(type, secretLength);
        Span<byte> secret = secretLength <= MaxStackScratch ? stackalloc byte[secretLength] : GC.AllocateUninitializedArray<byte>(secretLength, pinned: true);
        try
        {
            if (!wrapping.TryDecrypt(
                wrapped.Slice(1, Aead.NonceSize),
                wrapped.Slice(1 + Aead.NonceSize, secretLength),
                wrapped[(1 + Aead.NonceSize + secretLength)..],
                KeyWrap.AssociatedData(type, secretLength, associatedData),
                secret))
            {
                throw new VaultException("the wrapped key does not verify: tampered with, or wrapped under another key or associated data");
            }

            return AddEphemeral(type, secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Test hook: how many keys the vault holds, so tests can show that channels free theirs.</summary>
    internal int Count => keys.Count;

    public void Dispose()
    {
        // In the write turn: a save running meanwhile would find its keys deleted and write a file without them (the
        // identity key gone at the next start). Saves after this refuse instead. The semaphore is left to the GC: a
        // save may still be waiting on it.
        writeLock.Wait();
        try
        {
            disposed = true;
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }

            keys.Clear();
        }
        finally
        {
            writeLock.Release();
        }
    }

    private static ICurve25519 Curve(Curve25519Provider provider) => provider switch
    {
        Curve25519Provider.Libsodium => SodiumCurve25519.Instance,
        Curve25519Provider.BouncyCastle => BouncyCastleCurve25519.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "not a Curve25519 provider"),
    };

    private static void CheckAeadArguments(ReadOnlySpan<byte> nonce, int withTag, int withoutTag)
    {
        if (nonce.Length != Aead.NonceSize)
        {
            throw new VaultException($"AEAD nonces are {Aead.NonceSize} bytes, not {nonce.Length}");
        }

        if (withTag != withoutTag + Aead.TagSize)
        {
            throw new VaultException("the output buffer must be the input's length plus the 16-byte tag");
        }
    }

    private KeyMaterial WrappingKey(KeyHandle wrappingKey)
    {
        var material = Get(wrappingKey, KeyType.AesGcm);
        if (material.Length != 32)
        {
            throw new VaultException("keys are wrapped under 256-bit AES-GCM keys only");
        }

        return material;
    }

    private static void ValidateExpansion(int length)
    {
        if (length is < 1 or > 255 * 32)
        {
            throw new VaultException($"HKDF-SHA256 cannot expand to {length} bytes (1 to {255 * 32})");
        }
    }

    /// <summary>HKDF-Expand into <paramref name="okm"/>, whose length the caller has checked (<see cref="ValidateExpansion"/>) before allocating it.</summary>
    private void Expand(KeyHandle prk, ReadOnlySpan<byte> info, Span<byte> okm)
    {
        var material = Get(prk, KeyType.Secret);
        if (material.Length < 32)
        {
            throw new VaultException("an HKDF PRK is at least 32 bytes");
        }

        using var secret = material.Lease();
        HKDF.Expand(HashAlgorithmName.SHA256, secret.Secret, okm, info);
    }

    private KeyMaterial Get(KeyHandle key, KeyType? required = null)
    {
        ArgumentNullException.ThrowIfNull(key);

        // A handle this vault issued leads to its key, unless the key has been deleted since; any other (another
        // vault's, or rebuilt from a stored id) is looked up by id.
        var material = ReferenceEquals(key.Issuer, this) && key.Material is { IsDisposed: false } issued
            ? issued
            : keys.GetValueOrDefault(key.Id);
        if (material is null || material.Type != key.Type)
        {
            throw new VaultException($"no key {key} in this vault");
        }

        if (required is { } type && material.Type != type)
        {
            throw new VaultException($"a {material.Type} key cannot be used where a {type} key is needed");
        }

        return material;
    }

    /// <summary>An ephemeral key holding a copy of <paramref name="secret"/> in this vault's memory: what every derivation and import makes.</summary>
    private KeyHandle AddEphemeral(KeyType type, ReadOnlySpan<byte> secret) => Add(new KeyMaterial(type, secret, KeyPersistence.Ephemeral, curve, memory));

    private KeyHandle Add(KeyMaterial material)
    {
        while (true)
        {
            var id = string.Create(idPrefix.Length + 16, (Prefix: idPrefix, Counter: Interlocked.Increment(ref lastId)), static (chars, state) =>
            {
                // The counter's 16 hex digits written directly: formatting it with "x16" was a fifth of deriving a key.
                Span<byte> counter = stackalloc byte[sizeof(long)];
                BinaryPrimitives.WriteInt64BigEndian(counter, state.Counter);
                state.Prefix.CopyTo(chars);
                Convert.TryToHexStringLower(counter, chars[state.Prefix.Length..], out _);
            });
            if (keys.TryAdd(id, material))
            {
                return new KeyHandle(id, material.Type) { Issuer = this, Material = material };
            }
        }
    }

    /// <summary>Adds keys of one persistence, then (if persistent) stores them with one write; on failure none is kept.</summary>
    private async ValueTask<IReadOnlyList<KeyHandle>> AddAsync(List<KeyMaterial> materials, CancellationToken cancellationToken)
    {
        var handles = materials.Select(Add).ToList();
        if (materials.Any(m => m.Persistence == KeyPersistence.Persistent))
        {
            try
            {
                await SaveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                for (var i = 0; i < handles.Count; i++)
                {
                    keys.TryRemove(handles[i].Id, out _);
                    materials[i].Dispose();
                }

                throw;
            }
        }

        return handles;
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (path is null)
        {
            return;
        }

        var change = Interlocked.Increment(ref changes);
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);

            // A write that began after this change was made holds it already: keys made at once (a node's KeyPackages)
            // cost one durable write between them, not one each, and none is acknowledged before it is in the file.
            if (saved >= change)
            {
                return;
            }

            var upTo = Volatile.Read(ref changes);
            var contents = VaultFile.Encode(keys.Where(k => k.Value.Persistence == KeyPersistence.Persistent).OrderBy(k => k.Key, StringComparer.Ordinal));
            try
            {
                await VaultFile.WriteAsync(path, contents, cancellationToken).ConfigureAwait(false);
                saved = upTo;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(contents);
            }
        }
        finally
        {
            writeLock.Release();
        }
    }
}
