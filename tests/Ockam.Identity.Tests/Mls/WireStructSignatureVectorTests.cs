using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The wire structs' to-be-signed encodings and KeyPackageRef against real suite-1 signatures: the key package of
/// welcome.json (KeyPackageTBS, key_package-source LeafNodeTBS, and the Welcome naming it by its KeyPackageRef), and
/// every one of the 161 leaves of the 14 trees of tree-validation.json (LeafNodeTBS bound to group id and leaf index).
/// </summary>
public sealed class WireStructSignatureVectorTests
{
    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public void The_welcome_key_package_signatures_verify_and_its_ref_names_it_in_the_welcome()
    {
        using var document = TestVectors.Load("mls/welcome.json");
        using var vault = new SoftwareVault();
        var vector = document.RootElement[0];
        var keyPackage = MlsMessage.Decode(vector.Hex("key_package")).KeyPackage!;
        var leaf = keyPackage.LeafNode;

        Assert.True(LabeledSignature.VerifyWithLabel(vault, leaf.SignatureKey.Span, KeyPackage.SignatureLabel, keyPackage.EncodeTbs(), keyPackage.Signature.Span));
        Assert.True(LabeledSignature.VerifyWithLabel(vault, leaf.SignatureKey.Span, LeafNode.SignatureLabel, leaf.EncodeTbs([], new LeafIndex(0)), leaf.Signature.Span));

        var welcome = MlsMessage.Decode(vector.Hex("welcome")).Welcome!;
        Assert.Contains(welcome.Secrets, s => s.NewMember.Span.SequenceEqual(keyPackage.ComputeRef(Suite)));
    }

    [Fact]
    public void All_161_leaves_of_the_14_validation_trees_verify_at_their_index()
    {
        using var document = TestVectors.Load("mls/tree-validation.json");
        using var vault = new SoftwareVault();
        var trees = 0;
        var leaves = 0;
        foreach (var vector in document.RootElement.EnumerateArray())
        {
            var groupId = vector.Hex("group_id");
            var tree = RatchetTree.Decode(vector.Hex("tree"));
            for (var i = 0; i < tree.Nodes.Count; i += 2)
            {
                if (tree.Nodes[i]?.Leaf is { } leaf)
                {
                    var tbs = leaf.EncodeTbs(groupId, new LeafIndex((uint)(i / 2)));
                    Assert.True(LabeledSignature.VerifyWithLabel(vault, leaf.SignatureKey.Span, LeafNode.SignatureLabel, tbs, leaf.Signature.Span), $"tree {trees}, node {i}");
                    leaves++;
                }
            }

            trees++;
        }

        Assert.Equal(14, trees);
        Assert.Equal(161, leaves);
    }
}
