using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests;

/// <summary>
/// Reads a key's secret bytes out of a vault, so that derived keys can be checked against public vectors. No vault
/// hands out secrets, so this wraps the key (the public C_WrapKey path) under a wrapping key the test made up, and
/// opens the blob here with .NET's AES-GCM: it works for every <see cref="IVault"/>, and the production assembly
/// carries no export hook for it.
/// </summary>
internal static class VaultSecrets
{
    public static byte[] ExportSecret(this IVault vault, KeyHandle key)
    {
        var wrappingSecret = RandomNumberGenerator.GetBytes(32);
        var wrapping = vault.ImportEphemeralKey(KeyType.AesGcm, wrappingSecret);
        byte[] wrapped;
        try
        {
            wrapped = vault.WrapKey(wrapping, key, []);
        }
        finally
        {
            vault.DeleteEphemeralKey(wrapping);
        }

        // type (1) ‖ nonce (12) ‖ AES-256-GCM(secret) ‖ tag (16), as KeyWrap lays it out.
        var type = (KeyType)wrapped[0];
        Assert.Equal(key.Type, type);
        var secret = new byte[wrapped.Length - KeyWrap.Overhead];
        using var aes = new AesGcm(wrappingSecret, Aead.TagSize);
        aes.Decrypt(
            wrapped.AsSpan(1, Aead.NonceSize),
            wrapped.AsSpan(1 + Aead.NonceSize, secret.Length),
            wrapped.AsSpan(1 + Aead.NonceSize + secret.Length),
            secret,
            KeyWrap.AssociatedData(type, secret.Length, []));
        return secret;
    }
}
