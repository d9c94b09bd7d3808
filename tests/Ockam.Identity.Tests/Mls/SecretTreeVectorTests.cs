using System.Text.Json;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors secret-tree.json (RFC 9420 §9, and §6.3.2 for sender data) for cipher
/// suite 1: from an encryption_secret, for every leaf and listed generation, the handshake and
/// application keys and nonces; and the sender-data key and nonce of a ciphertext.
/// </summary>
public sealed class SecretTreeVectorTests
{
    private const int SuiteOneCases = 3;
    private const int LeavesChecked = 1 + 8 + 32;
    private const int GenerationsChecked = 2 * LeavesChecked;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public void Every_leaf_and_generation_of_the_suite_1_vectors_agrees()
    {
        using var document = TestVectors.Load("mls/secret-tree.json");
        var cases = 0;
        var leaves = 0;
        var generations = 0;
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            using var vault = new SoftwareVault();
            SenderDataAgrees(vault, vector.GetProperty("sender_data"));

            var leafVectors = vector.GetProperty("leaves");
            var leafCount = (uint)leafVectors.GetArrayLength();
            using (var tree = new SecretTree(vault, Suite, vault.ImportEphemeralKey(KeyType.Secret, vector.Hex("encryption_secret")), leafCount))
            {
                for (var i = 0u; i < leafCount; i++)
                {
                    var leaf = new LeafIndex(i);
                    foreach (var step in leafVectors[(int)i].EnumerateArray())
                    {
                        var generation = step.GetProperty("generation").GetUInt32();
                        OpensAndAgrees(vault, tree.Ratchet(leaf, RatchetType.Handshake), generation, step.Hex("handshake_key"), step.Hex("handshake_nonce"));
                        OpensAndAgrees(vault, tree.Ratchet(leaf, RatchetType.Application), generation, step.Hex("application_key"), step.Hex("application_nonce"));
                        generations++;
                    }

                    leaves++;
                }
            }

            // The tree deleted every secret it derived, and the keys of the generations it skipped: only the
            // sender_data_secret the test imported is left.
            Assert.Equal(1, vault.Count);
            cases++;
        }

        Assert.Equal(SuiteOneCases, cases);
        Assert.Equal(LeavesChecked, leaves);
        Assert.Equal(GenerationsChecked, generations);
    }

    [Fact]
    public void A_ratchet_only_moves_forward_and_not_too_far()
    {
        using var vault = new SoftwareVault();
        using var tree = new SecretTree(vault, Suite, vault.ImportEphemeralKey(KeyType.Secret, new byte[32]), 4);
        var ratchet = tree.Ratchet(new LeafIndex(2), RatchetType.Application);
        Assert.Same(ratchet, tree.Ratchet(new LeafIndex(2), RatchetType.Application));
        Assert.NotSame(ratchet, tree.Ratchet(new LeafIndex(2), RatchetType.Handshake));

        var first = ratchet.Next();
        Assert.Equal(0u, first.Generation);
        Assert.Equal(1u, ratchet.Generation);
        Assert.Throws<MlsCryptoException>(() => ratchet.Open(0));
        Assert.Throws<MlsCryptoException>(() => ratchet.Open(1 + HashRatchet.MaxForwardDistance + 1));
        using (var farthest = ratchet.Open(1 + HashRatchet.MaxForwardDistance))
        {
            Assert.Equal(1 + HashRatchet.MaxForwardDistance, farthest.KeyAndNonce.Generation);
        }

        // Opening moved nothing; consuming does, keeping the keys of the generations skipped.
        Assert.Equal(1u, ratchet.Generation);
        using (var third = ratchet.Open(3))
        {
            third.Consume();
        }

        Assert.Equal(4u, ratchet.Generation);
        Assert.Equal(2, ratchet.SkippedCount);
        using (var second = ratchet.Open(2))
        {
            second.Consume();
        }

        Assert.Equal(1, ratchet.SkippedCount);
        Assert.Throws<MlsCryptoException>(() => ratchet.Open(2));
        Assert.Throws<MlsCryptoException>(() => ratchet.Open(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.Ratchet(new LeafIndex(4), RatchetType.Handshake));

        // Leaves on either side of the root, asked in any order, derive from what is left of the tree.
        Assert.Equal(0u, tree.Ratchet(new LeafIndex(1), RatchetType.Handshake).Generation);
        Assert.Equal(0u, tree.Ratchet(new LeafIndex(3), RatchetType.Handshake).Generation);
        Assert.Equal(0u, tree.Ratchet(new LeafIndex(0), RatchetType.Handshake).Generation);
    }

    private static void SenderDataAgrees(SoftwareVault vault, JsonElement v)
    {
        var secret = vault.ImportEphemeralKey(KeyType.Secret, v.Hex("sender_data_secret"));
        Agrees(vault, SenderDataKey.Derive(vault, Suite, secret, v.Hex("ciphertext")), v.Hex("key"), v.Hex("nonce"));
    }

    private static void OpensAndAgrees(SoftwareVault vault, HashRatchet ratchet, uint generation, byte[] key, byte[] nonce)
    {
        using var pending = ratchet.Open(generation);
        Assert.Equal(key, vault.ExportSecret(pending.KeyAndNonce.Key));
        Assert.Equal(nonce, pending.KeyAndNonce.Nonce.ToArray());
        pending.Consume();
    }

    private static void Agrees(SoftwareVault vault, KeyAndNonce derived, byte[] key, byte[] nonce)
    {
        Assert.Equal(key, vault.ExportSecret(derived.Key));
        Assert.Equal(nonce, derived.Nonce.ToArray());
        vault.DeleteEphemeralKey(derived.Key);
    }
}
