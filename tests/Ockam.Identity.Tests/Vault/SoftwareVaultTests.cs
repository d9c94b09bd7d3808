using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Vault;

// The key file's permissions are POSIX modes; the project runs its tests on Linux.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class SoftwareVaultTests(Curve25519Provider provider) : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ockam-vault-").FullName;

    private string VaultPath => Path.Combine(directory, "keys", "vault.cbor");

    [Fact]
    public void Hmac_sha256_matches_rfc_4231_and_needs_a_secret_key()
    {
        // RFC 4231 §4.2, test case 1.
        using var vault = new SoftwareVault(provider);
        var key = vault.ImportEphemeralKey(KeyType.Secret, Enumerable.Repeat((byte)0x0b, 20).ToArray());
        Assert.Equal(
            Convert.FromHexString("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            vault.HmacSha256(key, "Hi There"u8));
        var aeadKey = vault.ImportEphemeralKey(KeyType.AesGcm, new byte[16]);
        Assert.Throws<VaultException>(() => vault.HmacSha256(aeadKey, "Hi There"u8));
    }

    [Fact]
    public void Derivations_refuse_negative_empty_oversized_and_wrapping_lengths_with_a_typed_error()
    {
        // Lengths reach the vault before anything is allocated for them: a negative one taken as a stack size would end
        // the process rather than throw, and outputs that add up past int.MaxValue would wrap to a negative total.
        using var vault = new SoftwareVault(provider);
        var prk = vault.ImportEphemeralKey(KeyType.Secret, new byte[32]);
        foreach (var length in new[] { -1, int.MinValue, 0, (255 * 32) + 1 })
        {
            Assert.Throws<VaultException>(() => vault.HkdfExpand(prk, "info"u8, new KeySpec(KeyType.Secret, length)));
            Assert.Throws<VaultException>(() => vault.HkdfExpandToBytes(prk, "info"u8, length));
            Assert.Throws<VaultException>(() => vault.DeriveKeys(null, prk, "info"u8, [new KeySpec(KeyType.Secret, length)]));
        }

        var wrapping = Enumerable.Repeat(new KeySpec(KeyType.Secret, 255 * 32), (int.MaxValue / (255 * 32)) + 2).ToArray();
        Assert.Throws<VaultException>(() => vault.DeriveKeys(null, prk, "info"u8, wrapping));
        Assert.Equal(32, vault.HkdfExpandToBytes(prk, "info"u8, 32).Length);
    }

    [Fact]
    public async Task Persistent_keys_survive_a_restart_and_ephemeral_ones_do_not()
    {
        KeyHandle persistent, ephemeral;
        byte[] signature;
        using (var vault = await SoftwareVault.OpenAsync(VaultPath, provider))
        {
            persistent = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent);
            ephemeral = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
            signature = vault.Sign(persistent, "hello"u8);
        }

        using var reopened = await SoftwareVault.OpenAsync(VaultPath, provider);
        Assert.True(reopened.Contains(persistent));
        Assert.False(reopened.Contains(ephemeral));
        Assert.True(reopened.Verify(reopened.GetPublicKey(persistent), "hello"u8, signature));
    }

    [Fact]
    public async Task Keys_made_at_once_share_writes_yet_each_is_in_the_file_when_its_creation_returns()
    {
        using var vault = await SoftwareVault.OpenAsync(VaultPath, provider);

        // Many at once, from many threads, as a node makes its KeyPackages: the file is read back as soon as each
        // creation returns, while the others are still being written.
        var made = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            var key = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Persistent);
            using var onDisk = await SoftwareVault.OpenAsync(VaultPath, provider);
            return onDisk.Contains(key);
        })));

        Assert.All(made, Assert.True);
    }

    [Fact]
    public async Task Key_file_is_owner_only_and_leaves_no_temporary_files()
    {
        using var vault = await SoftwareVault.OpenAsync(VaultPath, provider);
        for (var i = 0; i < 5; i++)
        {
            await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Persistent);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(VaultPath));
        Assert.Equal([VaultPath], Directory.GetFiles(Path.GetDirectoryName(VaultPath)!));
    }

    [Fact]
    public async Task A_key_file_others_can_read_is_refused()
    {
        using (var vault = await SoftwareVault.OpenAsync(VaultPath, provider))
        {
            await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent);
        }

        File.SetUnixFileMode(VaultPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var error = await Assert.ThrowsAsync<VaultException>(() => SoftwareVault.OpenAsync(VaultPath, provider));
        Assert.Contains("owner-only", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    [InlineData("empty")]
    public async Task A_corrupt_key_file_is_a_clear_error(string corruption)
    {
        using (var vault = await SoftwareVault.OpenAsync(VaultPath, provider))
        {
            await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent);
        }

        var bytes = await File.ReadAllBytesAsync(VaultPath);
        bytes = corruption switch
        {
            "flip" => Flip(bytes, bytes.Length - 40),
            "truncate" => bytes[..(bytes.Length / 2)],
            "garbage" => "not a vault"u8.ToArray(),
            _ => [],
        };
        await File.WriteAllBytesAsync(VaultPath, bytes);
        File.SetUnixFileMode(VaultPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = await Assert.ThrowsAsync<VaultException>(() => SoftwareVault.OpenAsync(VaultPath, provider));
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_keys_are_gone_from_memory_and_file()
    {
        KeyHandle key;
        using (var vault = await SoftwareVault.OpenAsync(VaultPath, provider))
        {
            key = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent);
            await vault.DeleteKeyAsync(key);
            Assert.False(vault.Contains(key));
            Assert.Throws<VaultException>(() => vault.Sign(key, "x"u8));
        }

        using var reopened = await SoftwareVault.OpenAsync(VaultPath, provider);
        Assert.False(reopened.Contains(key));
    }

    [Fact]
    public async Task A_vault_closed_while_a_key_is_being_saved_never_writes_a_file_without_its_keys()
    {
        // The host stopping while a caller makes a key: a save encoding the keys as the vault deletes them would write a
        // file without them (the node's identity key gone at its next start). The save refuses instead.
        for (var i = 0; i < 50; i++)
        {
            var path = Path.Combine(directory, $"closing-{i}", "vault.cbor");
            KeyHandle identity;
            var vault = await SoftwareVault.OpenAsync(path, provider);
            identity = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent);
            var making = Task.Run(async () => await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent));
            await Task.Run(vault.Dispose);
            try
            {
                await making;
            }
            catch (ObjectDisposedException)
            {
                // Refused: the file still holds what it held.
            }

            using var reopened = await SoftwareVault.OpenAsync(path, provider);
            Assert.True(reopened.Contains(identity), $"run {i}: the identity key is gone from the file");
        }
    }

    [Fact]
    public async Task X25519_refuses_low_order_points_that_give_an_all_zero_secret()
    {
        using var vault = new SoftwareVault(provider);
        var key = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        var error = Assert.Throws<VaultException>(() => vault.DiffieHellman(key, new byte[32]));
        Assert.Contains("all-zero", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_parties_agree_on_a_secret_and_derive_the_same_keys()
    {
        using var vault = new SoftwareVault(provider);
        var a = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        var b = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        var ab = vault.DeriveKeys(null, vault.DiffieHellman(a, vault.GetPublicKey(b)), "ctx"u8, [KeySpec.Aes256]);
        var ba = vault.DeriveKeys(null, vault.DiffieHellman(b, vault.GetPublicKey(a)), "ctx"u8, [KeySpec.Aes256]);

        var nonce = new byte[12];
        var sealedBytes = new byte[5 + Aead.TagSize];
        vault.Encrypt(ab[0], nonce, "hello"u8, [], sealedBytes);
        var opened = new byte[5];
        Assert.True(vault.TryDecrypt(ba[0], nonce, sealedBytes, [], opened));
        Assert.Equal("hello"u8.ToArray(), opened);
    }

    [Fact]
    public async Task Keys_are_used_only_for_their_type()
    {
        using var vault = new SoftwareVault(provider);
        var signing = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var agreement = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        Assert.Throws<VaultException>(() => vault.Sign(agreement, "x"u8));
        Assert.Throws<VaultException>(() => vault.DiffieHellman(signing, new byte[32]));
        Assert.Throws<VaultException>(() => vault.Encrypt(signing, new byte[12], [], [], new byte[16]));
        Assert.Throws<VaultException>(() => vault.Sign(new KeyHandle("nope", KeyType.Ed25519), "x"u8));
    }

    [Fact]
    public async Task Tampered_ciphertext_is_refused_and_the_output_is_zeroed()
    {
        using var vault = new SoftwareVault(provider);
        var key = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var sealedBytes = new byte[4 + Aead.TagSize];
        vault.Encrypt(key, new byte[12], "data"u8, "aad"u8, sealedBytes);
        sealedBytes[0] ^= 1;
        var output = new byte[] { 9, 9, 9, 9 };
        Assert.False(vault.TryDecrypt(key, new byte[12], sealedBytes, "aad"u8, output));
        Assert.All(output, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Rekey_is_Noise_REKEY_and_ephemeral_keys_come_and_go_synchronously()
    {
        using var vault = await SoftwareVault.OpenAsync(VaultPath, provider);
        var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var key = vault.ImportEphemeralKey(KeyType.AesGcm, secret);
        var next = vault.Rekey(key);

        // REKEY(k) = ENCRYPT(k, 2^64-1, "", zeros(32))[0..32], computed apart from the vault.
        var nonce = new byte[12];
        nonce.AsSpan(4).Fill(0xff);
        var expected = new byte[32];
        using (var gcm = new System.Security.Cryptography.AesGcm(secret, 16))
        {
            gcm.Encrypt(nonce, new byte[32], expected, new byte[16]);
        }

        Assert.Equal(expected, vault.ExportSecret(next));
        Assert.Equal(KeyType.AesGcm, next.Type);
        Assert.Throws<VaultException>(() => vault.Rekey(vault.ImportEphemeralKey(KeyType.AesGcm, new byte[16])));
        Assert.Throws<VaultException>(() => vault.Rekey(vault.ImportEphemeralKey(KeyType.Secret, secret)));

        vault.DeleteEphemeralKey(key);
        Assert.False(vault.Contains(key));

        // A persistent key is never dropped through the synchronous path, which cannot update the file.
        var persistent = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent);
        Assert.Throws<VaultException>(() => vault.DeleteEphemeralKey(persistent));
        Assert.True(vault.Contains(persistent));
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        bytes[index] ^= 0x01;
        return bytes;
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The suite over the libsodium vault.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SoftwareVaultTestsOverLibsodium() : SoftwareVaultTests(Curve25519Provider.Libsodium);

/// <summary>The suite over the BouncyCastle vault.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SoftwareVaultTestsOverBouncyCastle() : SoftwareVaultTests(Curve25519Provider.BouncyCastle);
