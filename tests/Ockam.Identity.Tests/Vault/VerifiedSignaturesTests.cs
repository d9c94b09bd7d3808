using System.Reflection;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Vault;

/// <summary>
/// The vault's memory of verified signatures (<see cref="VerifiedSignatures"/>): a remembered signature never vouches
/// for different bytes, and the memory stays bounded whatever it is fed.
/// </summary>
public sealed class VerifiedSignaturesTests
{
    [Theory]
    [InlineData(Curve25519Provider.Libsodium)]
    [InlineData(Curve25519Provider.BouncyCastle)]
    public async Task A_remembered_signature_vouches_for_its_exact_bytes_only(Curve25519Provider provider)
    {
        using var vault = new SoftwareVault(provider);
        var key = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var other = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var publicKey = vault.GetPublicKey(key);
        var message = "a change history"u8.ToArray();
        var signature = vault.Sign(key, message);

        // Verified once, so remembered; the same bytes again still verify.
        Assert.True(vault.Verify(publicKey, message, signature));
        Assert.True(vault.Verify(publicKey, message, signature));

        // An attacker who saw the remembered triple changes one part of it: each is checked, not looked up.
        for (var i = 0; i < signature.Length; i += 7)
        {
            var forged = (byte[])signature.Clone();
            forged[i] ^= 1;
            Assert.False(vault.Verify(publicKey, message, forged));
        }

        var altered = (byte[])message.Clone();
        altered[^1] ^= 1;
        Assert.False(vault.Verify(publicKey, altered, signature));
        Assert.False(vault.Verify(publicKey, [.. message, 0], signature));
        Assert.False(vault.Verify(vault.GetPublicKey(other), message, signature));
        Assert.True(vault.Verify(publicKey, message, signature));
    }

    [Fact]
    public async Task A_signature_that_failed_is_not_remembered_as_good_nor_blocks_a_good_one()
    {
        using var vault = new SoftwareVault();
        var key = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var publicKey = vault.GetPublicKey(key);
        var signature = vault.Sign(key, "reading"u8);
        var bad = new byte[signature.Length];

        Assert.False(vault.Verify(publicKey, "reading"u8, bad));
        Assert.False(vault.Verify(publicKey, "reading"u8, bad));
        Assert.True(vault.Verify(publicKey, "reading"u8, signature));
    }

    [Fact]
    public async Task A_signature_the_vault_made_is_remembered_for_its_exact_bytes_only()
    {
        using var vault = new SoftwareVault();
        var key = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var publicKey = vault.GetPublicKey(key);
        var message = "a purpose key attestation"u8.ToArray();
        var signature = vault.Sign(key, message);

        // Remembered when made, before anyone verified it: checking it costs a hash.
        var memory = Memory(vault);
        Assert.True(memory.Contains(VerifiedSignatures.DigestOf(publicKey, message, signature)));

        // Nothing else is: another message, or the signature under another key, is not vouched for.
        Assert.False(memory.Contains(VerifiedSignatures.DigestOf(publicKey, [.. message, 0], signature)));
        var other = vault.GetPublicKey(await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral));
        Assert.False(memory.Contains(VerifiedSignatures.DigestOf(other, message, signature)));
        Assert.False(vault.Verify(other, message, signature));
        Assert.True(vault.Verify(publicKey, message, signature));
    }

    [Fact]
    public void Digests_name_each_part_of_the_triple()
    {
        var key = new byte[32];
        var signature = new byte[64];
        var digest = VerifiedSignatures.DigestOf(key, "m"u8, signature);
        Assert.Equal(digest, VerifiedSignatures.DigestOf(key, "m"u8, signature));

        var otherKey = (byte[])key.Clone();
        otherKey[31] = 1;
        var otherSignature = (byte[])signature.Clone();
        otherSignature[0] = 1;
        Assert.NotEqual(digest, VerifiedSignatures.DigestOf(otherKey, "m"u8, signature));
        Assert.NotEqual(digest, VerifiedSignatures.DigestOf(key, "n"u8, signature));
        Assert.NotEqual(digest, VerifiedSignatures.DigestOf(key, "m"u8, otherSignature));
    }

    [Fact]
    public void The_memory_is_bounded_and_keeps_what_is_in_use()
    {
        var memory = new VerifiedSignatures(capacity: 4);
        var digests = Enumerable.Range(0, 20).Select(i => VerifiedSignatures.DigestOf(new byte[32], [(byte)i], new byte[64])).ToArray();
        var inUse = digests[0];
        memory.Add(inUse);
        foreach (var digest in digests[1..])
        {
            memory.Add(digest);

            // Each lookup carries it into the newer generation, so it survives every turnover.
            Assert.True(memory.Contains(inUse));
        }

        // Of the 19 others, at most two generations' worth (less the one in use) are remembered, the newest.
        var remembered = digests[1..].Where(memory.Contains).ToList();
        Assert.InRange(remembered.Count, 1, 2 * memory.Capacity - 1);
        Assert.False(memory.Contains(digests[1]));
        Assert.True(memory.Contains(digests[^1]));
    }

    /// <summary>The vault's memory itself, to tell a remembered signature from one verified again: nothing else shows which.</summary>
    private static VerifiedSignatures Memory(SoftwareVault vault) =>
        (VerifiedSignatures)typeof(SoftwareVault).GetField("verified", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(vault)!;
}
