using System.Text.Json;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors tree-validation.json (RFC 9420 §4.1.1, §7.3, §7.8, §7.9.2) for cipher suite 1: for each
/// tree (full, with internal and trailing blanks, with unmerged leaves, with parent-hash links that skip blanks), the
/// resolution and tree hash of every node, and the tree valid as a joiner checks it — leaf signatures with the group
/// id, unique keys, every parent node parent-hash valid. Then the attacks that validation is for.
/// </summary>
public sealed class TreeValidationVectorTests
{
    private const int SuiteOneCases = 14;
    private const int NodesChecked = 3 + 7 + 15 + 63 + 15 + 7 + 15 + 15 + 127 + 15 + 15 + 127 + 15 + 15;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public void Every_node_of_the_14_suite_1_trees_has_the_resolution_and_tree_hash_and_each_tree_is_valid()
    {
        using var document = TestVectors.Load("mls/tree-validation.json");
        using var vault = new SoftwareVault();
        var cases = 0;
        var nodes = 0;
        foreach (var vector in SuiteOne(document))
        {
            var tree = PublicTree.FromRatchetTree(Suite, RatchetTree.Decode(vector.Hex("tree")));
            var resolutions = vector.GetProperty("resolutions");
            var treeHashes = vector.GetProperty("tree_hashes");
            Assert.Equal(TreeMath.NodeWidth(tree.LeafCount), (uint)treeHashes.GetArrayLength());
            for (var i = 0u; i < treeHashes.GetArrayLength(); i++)
            {
                var expected = resolutions[(int)i].EnumerateArray().Select(r => r.GetUInt32()).ToArray();
                Assert.Equal(expected, tree.Resolution(new NodeIndex(i)).Select(n => n.Value).ToArray());
                Assert.Equal(Convert.FromHexString(treeHashes[(int)i].GetString()!), tree.TreeHash(new NodeIndex(i)));
                nodes++;
            }

            tree.Validate(vault, vector.Hex("group_id"));
            Assert.Equal(vector.Hex("tree"), tree.ToRatchetTree().Encode());
            cases++;
        }

        Assert.Equal(SuiteOneCases, cases);
        Assert.Equal(NodesChecked, nodes);
    }

    [Fact]
    public void A_leaf_with_a_flipped_signature_byte_is_refused()
    {
        var (wire, groupId) = Largest();
        using var vault = new SoftwareVault();
        var leaf = wire.Nodes[2]!.Leaf!;
        var signature = leaf.Signature.ToArray();
        signature[7] ^= 0x01;
        var forged = new LeafNode(leaf.EncryptionKey, leaf.SignatureKey, leaf.Credential, leaf.Capabilities, leaf.LeafNodeSource, leaf.Lifetime, leaf.ParentHash, leaf.Extensions, signature);
        var tree = PublicTree.FromRatchetTree(Suite, With(wire, 2, Node.FromLeaf(forged)));

        var refused = Assert.Throws<MlsCryptoException>(() => tree.Validate(vault, groupId));
        Assert.Contains("signature", refused.Message, StringComparison.Ordinal);
        Assert.Throws<MlsCryptoException>(() => tree.VerifyLeafNode(vault, groupId, new LeafIndex(1), forged));
    }

    [Fact]
    public void A_parent_node_whose_key_was_swapped_breaks_the_parent_hash_chain_and_is_refused()
    {
        var (wire, groupId) = Largest();
        using var vault = new SoftwareVault();
        var index = Enumerable.Range(0, wire.Nodes.Count).First(i => i % 2 == 1 && wire.Nodes[i] is not null);
        var parent = wire.Nodes[index]!.Parent!;
        var attackerKey = vault.GetPublicKey(vault.ImportEphemeralKey(KeyType.X25519, Enumerable.Repeat((byte)0x42, 32).ToArray()));
        var tree = PublicTree.FromRatchetTree(Suite, With(wire, index, Node.FromParent(new ParentNode(attackerKey, parent.ParentHash, parent.UnmergedLeaves))));

        var refused = Assert.Throws<MlsCryptoException>(() => tree.Validate(vault, groupId));
        Assert.Contains("parent-hash valid", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_encryption_key_is_refused()
    {
        var (wire, groupId) = Largest();
        using var vault = new SoftwareVault();
        var index = Enumerable.Range(0, wire.Nodes.Count).First(i => i % 2 == 1 && wire.Nodes[i] is not null);
        var parent = wire.Nodes[index]!.Parent!;
        var tree = PublicTree.FromRatchetTree(Suite, With(wire, index, Node.FromParent(new ParentNode(wire.Nodes[0]!.Leaf!.EncryptionKey, parent.ParentHash, parent.UnmergedLeaves))));

        var refused = Assert.Throws<MlsCryptoException>(() => tree.Validate(vault, groupId));
        Assert.Contains("encryption key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_leaf_entering_with_another_members_keys_is_refused()
    {
        var (wire, groupId) = Largest();
        using var vault = new SoftwareVault();
        var tree = PublicTree.FromRatchetTree(Suite, wire);
        var member = tree.Leaf(new LeafIndex(0))!;

        // Member 1's own leaf, moved to another index, fails its signature (bound to the index) and repeats its keys.
        Assert.Throws<MlsCryptoException>(() => tree.VerifyLeafNode(vault, groupId, new LeafIndex(1), member));
        tree.VerifyLeafNode(vault, groupId, new LeafIndex(0), member);
    }

    private static IEnumerable<JsonElement> SuiteOne(JsonDocument document) =>
        document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id);

    // The 34-member tree: every kind of node, parent-hash links through blanks.
    private static (RatchetTree Tree, byte[] GroupId) Largest()
    {
        using var document = TestVectors.Load("mls/tree-validation.json");
        var vector = SuiteOne(document).MaxBy(v => v.GetProperty("tree").GetString()!.Length);
        return (RatchetTree.Decode(vector.Hex("tree")), vector.Hex("group_id"));
    }

    private static RatchetTree With(RatchetTree tree, int index, Node node)
    {
        var nodes = tree.Nodes.ToArray();
        nodes[index] = node;
        return new RatchetTree(nodes);
    }
}
