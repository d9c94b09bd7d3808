using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Vault;

/// <summary>
/// <see cref="IVault.WrapKey"/> and <see cref="IVault.UnwrapKey"/>: every key type comes back as itself, and a blob
/// that is altered, opened with other associated data or under another wrapping key, or re-labelled as another type,
/// is refused.
/// </summary>
public abstract class KeyWrapTests(Curve25519Provider provider)
{
    public static TheoryData<KeyType, int> Types => new()
    {
        { KeyType.Ed25519, 32 },
        { KeyType.X25519, 32 },
        { KeyType.AesGcm, 16 },
        { KeyType.AesGcm, 32 },
        { KeyType.ChaCha20Poly1305, 32 },
        { KeyType.Secret, 32 },
        { KeyType.Secret, 64 },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public async Task Every_key_type_round_trips(KeyType type, int length)
    {
        using var vault = new SoftwareVault(provider);
        var wrapping = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var secret = Enumerable.Range(1, length).Select(i => (byte)i).ToArray();
        var key = vault.ImportEphemeralKey(type, secret);

        var wrapped = vault.WrapKey(wrapping, key, "context"u8);
        Assert.Equal(1 + Aead.NonceSize + length + Aead.TagSize, wrapped.Length);
        Assert.False(wrapped.AsSpan().IndexOf(secret) >= 0, "the secret appears in clear in the wrapped blob");
        var unwrapped = vault.UnwrapKey(wrapping, wrapped, "context"u8);

        Assert.Equal(type, unwrapped.Type);
        Assert.NotEqual(key.Id, unwrapped.Id);
        Assert.Equal(secret, vault.ExportSecret(unwrapped));
        if (type is KeyType.Ed25519 or KeyType.X25519)
        {
            Assert.Equal(vault.GetPublicKey(key), vault.GetPublicKey(unwrapped));
        }

        // A fresh nonce each time: wrapping twice gives two different blobs.
        Assert.NotEqual(wrapped, vault.WrapKey(wrapping, key, "context"u8));
    }

    [Fact]
    public async Task An_unwrapped_signing_key_signs_as_the_original()
    {
        using var vault = new SoftwareVault(provider);
        var wrapping = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var key = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var unwrapped = vault.UnwrapKey(wrapping, vault.WrapKey(wrapping, key, []), []);
        Assert.True(vault.Verify(vault.GetPublicKey(key), "hello"u8, vault.Sign(unwrapped, "hello"u8)));
    }

    [Fact]
    public async Task A_tampered_blob_is_refused()
    {
        using var vault = new SoftwareVault(provider);
        var wrapping = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var key = await vault.GenerateKeyAsync(KeyType.Secret, KeyPersistence.Ephemeral);
        var wrapped = vault.WrapKey(wrapping, key, "ad"u8);
        var keys = vault.Count;
        for (var i = 0; i < wrapped.Length; i++)
        {
            var tampered = (byte[])wrapped.Clone();
            tampered[i] ^= 0x01;
            Assert.Throws<VaultException>(() => vault.UnwrapKey(wrapping, tampered, "ad"u8));
        }

        Assert.Throws<VaultException>(() => vault.UnwrapKey(wrapping, wrapped.AsSpan(0, wrapped.Length - 1), "ad"u8));
        Assert.Throws<VaultException>(() => vault.UnwrapKey(wrapping, [.. wrapped, 0], "ad"u8));
        Assert.Throws<VaultException>(() => vault.UnwrapKey(wrapping, wrapped.AsSpan(0, 20), "ad"u8));
        Assert.Equal(keys, vault.Count);
    }

    [Fact]
    public async Task A_blob_relabelled_as_another_type_is_refused()
    {
        // A 32-byte Secret and a 32-byte AES-GCM key have the same length: only the type bound into the
        // associated data stops a Secret (an HKDF input) from coming back as an encryption key.
        using var vault = new SoftwareVault(provider);
        var wrapping = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var key = await vault.GenerateKeyAsync(KeyType.Secret, KeyPersistence.Ephemeral);
        var wrapped = vault.WrapKey(wrapping, key, []);
        wrapped[0] = (byte)KeyType.AesGcm;
        Assert.Throws<VaultException>(() => vault.UnwrapKey(wrapping, wrapped, []));
    }

    [Fact]
    public async Task Other_associated_data_is_refused()
    {
        using var vault = new SoftwareVault(provider);
        var wrapping = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var key = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        var wrapped = vault.WrapKey(wrapping, key, "group a epoch 1"u8);
        Assert.Throws<VaultException>(() => vault.UnwrapKey(wrapping, wrapped, "group a epoch 2"u8));
        Assert.Throws<VaultException>(() => vault.UnwrapKey(wrapping, wrapped, []));
    }

    [Fact]
    public async Task Another_wrapping_key_is_refused()
    {
        using var vault = new SoftwareVault(provider);
        var wrapping = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var other = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var key = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var wrapped = vault.WrapKey(wrapping, key, []);
        Assert.Throws<VaultException>(() => vault.UnwrapKey(other, wrapped, []));

        // Another vault with its own keys does not know the wrapping key at all.
        using var stranger = new SoftwareVault(provider);
        Assert.Throws<VaultException>(() => stranger.UnwrapKey(wrapping, wrapped, []));
    }

    [Fact]
    public async Task Only_a_256_bit_aes_gcm_key_wraps()
    {
        using var vault = new SoftwareVault(provider);
        var key = await vault.GenerateKeyAsync(KeyType.Secret, KeyPersistence.Ephemeral);
        var aes128 = vault.ImportEphemeralKey(KeyType.AesGcm, new byte[16]);
        var chacha = await vault.GenerateKeyAsync(KeyType.ChaCha20Poly1305, KeyPersistence.Ephemeral);
        Assert.Throws<VaultException>(() => vault.WrapKey(aes128, key, []));
        Assert.Throws<VaultException>(() => vault.WrapKey(chacha, key, []));
        Assert.Throws<VaultException>(() => vault.WrapKey(key, key, []));
    }
}

/// <summary>The suite over the libsodium vault.</summary>
public sealed class KeyWrapTestsOverLibsodium() : KeyWrapTests(Curve25519Provider.Libsodium);

/// <summary>The suite over the BouncyCastle vault.</summary>
public sealed class KeyWrapTestsOverBouncyCastle() : KeyWrapTests(Curve25519Provider.BouncyCastle);
