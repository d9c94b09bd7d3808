using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Vault;

/// <summary>
/// libsodium's AES-256-GCM, which the libsodium vault uses where the CPU allows (the Wycheproof suite runs through it
/// there): byte for byte what .NET's AesGcm computes, and nothing unauthenticated comes out of it.
/// </summary>
public sealed class SodiumAes256GcmTests
{
    [Fact]
    public void This_machine_offers_it() =>
        // bench/ and the vault's figures assume it; a CPU without AES-NI would quietly fall back to .NET's AesGcm.
        Assert.True(SodiumAes256Gcm.IsAvailable);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(15, 13)]
    [InlineData(16, 16)]
    [InlineData(1024, 0)]
    [InlineData(4097, 100)]
    public void It_seals_and_opens_exactly_as_dotnet_does(int length, int adLength)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(Aead.NonceSize);
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var ad = RandomNumberGenerator.GetBytes(adLength);
        using var sodium = new SodiumAes256Gcm(key);
        using var dotnet = new AesGcm(key, Aead.TagSize);

        var (ours, ourTag) = (new byte[length], new byte[Aead.TagSize]);
        sodium.Encrypt(nonce, plaintext, ad, ours, ourTag);
        var (theirs, theirTag) = (new byte[length], new byte[Aead.TagSize]);
        dotnet.Encrypt(nonce, plaintext, theirs, theirTag, ad);
        Assert.Equal(theirs, ours);
        Assert.Equal(theirTag, ourTag);

        var opened = new byte[length];
        Assert.True(sodium.TryDecrypt(nonce, theirs, theirTag, ad, opened));
        Assert.Equal(plaintext, opened);
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("associated data")]
    [InlineData("nonce")]
    public void A_changed_bit_anywhere_is_refused_and_nothing_is_released(string where)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(Aead.NonceSize);
        var ad = RandomNumberGenerator.GetBytes(8);
        var (ciphertext, tag) = (new byte[64], new byte[Aead.TagSize]);
        using var sodium = new SodiumAes256Gcm(key);
        sodium.Encrypt(nonce, RandomNumberGenerator.GetBytes(64), ad, ciphertext, tag);

        var flipped = where switch { "ciphertext" => ciphertext, "tag" => tag, "associated data" => ad, _ => nonce };
        flipped[3] ^= 0x10;
        var plaintext = new byte[64];
        Array.Fill(plaintext, (byte)0xAA);
        Assert.False(sodium.TryDecrypt(nonce, ciphertext, tag, ad, plaintext));
        Assert.All(plaintext, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Wrong_sizes_and_use_after_disposal_are_refused()
    {
        Assert.Throws<VaultException>(() => new SodiumAes256Gcm(new byte[16]));
        var sodium = new SodiumAes256Gcm(new byte[32]);
        Assert.Throws<VaultException>(() => sodium.Encrypt(new byte[8], new byte[4], [], new byte[4], new byte[Aead.TagSize]));
        Assert.Throws<VaultException>(() => sodium.Encrypt(new byte[Aead.NonceSize], new byte[4], [], new byte[3], new byte[Aead.TagSize]));
        sodium.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sodium.Encrypt(new byte[Aead.NonceSize], new byte[4], [], new byte[4], new byte[Aead.TagSize]));
    }
}
