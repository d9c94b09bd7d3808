using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Vault;

/// <summary>
/// What holds across the vault's Curve25519 providers and its handles: a key file written with one opens with the
/// other, a handle works only in the vault that issued it and only while its key lives, and a node that makes no
/// persistent key writes no file.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VaultProviderTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ockam-vault-").FullName;

    private string VaultPath => Path.Combine(directory, "vault.cbor");

    [Theory]
    [InlineData(Curve25519Provider.BouncyCastle, Curve25519Provider.Libsodium)]
    [InlineData(Curve25519Provider.Libsodium, Curve25519Provider.BouncyCastle)]
    public async Task A_key_file_written_with_one_provider_opens_with_the_other(Curve25519Provider writer, Curve25519Provider reader)
    {
        KeyHandle signing, agreement;
        byte[] signingPublic, agreementPublic, signature, shared;
        var peer = new byte[32];
        peer[0] = 9; // the base point: a valid peer key for both libraries
        using (var vault = await SoftwareVault.OpenAsync(VaultPath, writer))
        {
            signing = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent);
            agreement = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Persistent);
            (signingPublic, agreementPublic) = (vault.GetPublicKey(signing), vault.GetPublicKey(agreement));
            signature = vault.Sign(signing, "hello"u8);
            shared = vault.ExportSecret(vault.DiffieHellman(agreement, peer));
        }

        using var reopened = await SoftwareVault.OpenAsync(VaultPath, reader);
        Assert.Equal(signingPublic, reopened.GetPublicKey(signing));
        Assert.Equal(agreementPublic, reopened.GetPublicKey(agreement));

        // Ed25519 is deterministic and X25519 a function: the same key gives the same bytes in either library.
        Assert.Equal(signature, reopened.Sign(signing, "hello"u8));
        Assert.Equal(shared, reopened.ExportSecret(reopened.DiffieHellman(agreement, peer)));
    }

    [Fact]
    public async Task No_key_file_is_written_before_the_first_persistent_key()
    {
        using var vault = await SoftwareVault.OpenAsync(VaultPath);
        await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        Assert.False(File.Exists(VaultPath));

        var key = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(VaultPath));
        using var reopened = await SoftwareVault.OpenAsync(VaultPath);
        Assert.True(reopened.Contains(key));
    }

    [Fact]
    public async Task Keys_generated_together_are_stored_together_in_order()
    {
        IReadOnlyList<KeyHandle> keys;
        using (var vault = await SoftwareVault.OpenAsync(VaultPath))
        {
            keys = await vault.GenerateKeysAsync([KeyType.Ed25519, KeyType.X25519, KeyType.AesGcm], KeyPersistence.Persistent);
        }

        Assert.Equal([KeyType.Ed25519, KeyType.X25519, KeyType.AesGcm], keys.Select(k => k.Type));
        using var reopened = await SoftwareVault.OpenAsync(VaultPath);
        Assert.All(keys, k => Assert.True(reopened.Contains(k)));
        Assert.Equal(3, reopened.Count);
    }

    [Fact]
    public async Task Keys_generated_together_whose_write_fails_are_none_of_them_kept()
    {
        // The key file's directory cannot be made (a file is in its way), so the one write for the batch fails.
        var blocked = Path.Combine(directory, "not-a-directory");
        await File.WriteAllBytesAsync(blocked, [1]);
        using var vault = await SoftwareVault.OpenAsync(Path.Combine(blocked, "vault.cbor"));
        var kept = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);

        await Assert.ThrowsAnyAsync<IOException>(() => vault.GenerateKeysAsync([KeyType.Ed25519, KeyType.X25519], KeyPersistence.Persistent).AsTask());
        Assert.Equal(1, vault.Count);
        Assert.True(vault.Contains(kept));
    }

    [Fact]
    public async Task A_handle_does_not_reach_its_key_from_another_vault()
    {
        using var issuer = new SoftwareVault();
        using var other = new SoftwareVault();
        var signing = await issuer.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var sealing = await issuer.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);

        Assert.False(other.Contains(signing));
        Assert.Throws<VaultException>(() => other.Sign(signing, "x"u8));
        Assert.Throws<VaultException>(() => other.Encrypt(sealing, new byte[12], "x"u8, [], new byte[1 + Aead.TagSize]));
        Assert.Throws<VaultException>(() => other.WrapKey(sealing, signing, []));
    }

    [Fact]
    public async Task A_deleted_key_is_refused_through_the_handle_that_named_it()
    {
        using var vault = new SoftwareVault();
        var sealing = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var signing = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        vault.DeleteEphemeralKey(sealing);
        vault.DeleteEphemeralKey(signing);

        // Not a signature under the zeroed seed, nor an ObjectDisposedException from the cipher: no such key.
        Assert.Throws<VaultException>(() => vault.Sign(signing, "x"u8));
        Assert.Throws<VaultException>(() => vault.Encrypt(sealing, new byte[12], "x"u8, [], new byte[1 + Aead.TagSize]));
    }

    [Fact]
    public async Task A_handle_rebuilt_from_its_id_is_the_same_handle()
    {
        using var vault = new SoftwareVault();
        var key = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var rebuilt = new KeyHandle(key.Id, key.Type);
        Assert.Equal(key, rebuilt);
        Assert.Equal(key.GetHashCode(), rebuilt.GetHashCode());
        Assert.True(vault.Verify(vault.GetPublicKey(key), "x"u8, vault.Sign(rebuilt, "x"u8)));
        Assert.NotEqual(key, rebuilt with { Type = KeyType.X25519 });
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
