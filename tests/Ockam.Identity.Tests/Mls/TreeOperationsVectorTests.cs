using System.Diagnostics;
using Ockam.Identity.Mls;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors tree-operations.json (RFC 9420 §7.7, §7.8, §12.1.1–12.1.3) for cipher suite 1: an Add,
/// Update or Remove applied to a tree gives the tree and tree hash after, byte for byte. Then the cost the cached tree
/// hashes are for: an add at 10 000 members rehashes a path, not the tree.
/// </summary>
public sealed class TreeOperationsVectorTests
{
    private const int SuiteOneCases = 5;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public void Each_of_the_5_suite_1_proposals_gives_the_tree_and_tree_hash_after()
    {
        using var document = TestVectors.Load("mls/tree-operations.json");
        var applied = new Dictionary<ProposalType, int>();
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            var tree = PublicTree.FromRatchetTree(Suite, RatchetTree.Decode(vector.Hex("tree_before")));
            Assert.Equal(vector.Hex("tree_hash_before"), tree.TreeHash());

            var proposal = MlsReader.DecodeExact(vector.Hex("proposal"), Proposal.Read);
            var sender = new LeafIndex(vector.GetProperty("proposal_sender").GetUInt32());
            switch (proposal.Body)
            {
                case AddProposal add:
                    tree.AddLeaf(add.KeyPackage.LeafNode);
                    break;
                case UpdateProposal update:
                    tree.UpdateLeaf(sender, update.LeafNode);
                    break;
                case RemoveProposal remove:
                    tree.RemoveLeaf(remove.Removed);
                    break;
                default:
                    Assert.Fail($"tree-operations.json has a {proposal.ProposalType} proposal");
                    break;
            }

            Assert.Equal(vector.Hex("tree_after"), tree.ToRatchetTree().Encode());
            Assert.Equal(vector.Hex("tree_hash_after"), tree.TreeHash());

            // The cached hashes agree with a tree that hashes everything afresh.
            Assert.Equal(tree.TreeHash(), PublicTree.FromRatchetTree(Suite, tree.ToRatchetTree()).TreeHash());
            applied[proposal.ProposalType] = applied.GetValueOrDefault(proposal.ProposalType) + 1;
        }

        Assert.Equal(SuiteOneCases, applied.Values.Sum());
        Assert.Equal([ProposalType.Add, ProposalType.Update, ProposalType.Remove], applied.Keys.Order());
    }

    [Fact]
    public void Removing_members_truncates_the_tree_to_its_rightmost_member_and_adding_fills_the_leftmost_blank()
    {
        var tree = PublicTree.Create(Suite, Member(0));
        for (var i = 1; i < 5; i++)
        {
            Assert.Equal(new LeafIndex((uint)i), tree.AddLeaf(Member(i)));
        }

        Assert.Equal(8u, tree.LeafCount);
        tree.RemoveLeaf(new LeafIndex(4));
        Assert.Equal(4u, tree.LeafCount);
        tree.RemoveLeaf(new LeafIndex(1));
        Assert.Equal(4u, tree.LeafCount);
        Assert.Equal(new LeafIndex(1), tree.AddLeaf(Member(5)));
        Assert.Throws<MlsCryptoException>(() => tree.RemoveLeaf(new LeafIndex(7)));
        Assert.Equal(tree.TreeHash(), PublicTree.FromRatchetTree(Suite, tree.ToRatchetTree()).TreeHash());
    }

    [Fact]
    public void A_clone_changes_independently_of_its_original_across_shared_chunks()
    {
        var tree = PublicTree.Create(Suite, Member(0));
        for (var i = 1; i < 3000; i++)
        {
            tree.AddLeaf(Member(i));
        }

        var hash = tree.TreeHash();
        var wire = tree.ToRatchetTree().Encode();
        var clone = tree.Clone();
        for (var i = 1000u; i < 3000; i++)
        {
            clone.RemoveLeaf(new LeafIndex(i));
        }

        Assert.Equal(1024u, clone.LeafCount);
        for (var i = 0; i < 25; i++)
        {
            clone.AddLeaf(Member(5000 + i));
        }

        // The 25th fills leaf 1024: the tree extends again, over array slots the truncation cleared.
        Assert.Equal(2048u, clone.LeafCount);
        tree.UpdateLeaf(new LeafIndex(5), Member(6000));

        // Each side sees only its own changes, and its cached hashes are those of a fresh tree.
        Assert.Equal(hash, PublicTree.FromRatchetTree(Suite, RatchetTree.Decode(wire)).TreeHash());
        Assert.NotEqual(hash, tree.TreeHash());
        Assert.Equal(tree.TreeHash(), PublicTree.FromRatchetTree(Suite, tree.ToRatchetTree()).TreeHash());
        Assert.Equal(clone.TreeHash(), PublicTree.FromRatchetTree(Suite, clone.ToRatchetTree()).TreeHash());
        Assert.Null(clone.Leaf(new LeafIndex(1025)));
        Assert.Equal(Member(5).EncryptionKey.ToArray(), clone.Leaf(new LeafIndex(5))!.EncryptionKey.ToArray());
        Assert.Equal(Member(6000).EncryptionKey.ToArray(), tree.Leaf(new LeafIndex(5))!.EncryptionKey.ToArray());
        Assert.NotNull(tree.Leaf(new LeafIndex(2999)));
    }

    [Fact]
    public void An_add_and_its_tree_hash_at_10_000_members_take_well_under_5_ms()
    {
        var tree = PublicTree.Create(Suite, Member(0));
        for (var i = 1; i < 10_000; i++)
        {
            tree.AddLeaf(Member(i));
        }

        tree.TreeHash();
        const int Adds = 100;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Adds; i++)
        {
            var provisional = tree.Clone();
            provisional.AddLeaf(Member(10_000 + i));
            provisional.TreeHash();
            tree = provisional;
        }

        clock.Stop();
        Assert.True(clock.Elapsed.TotalMilliseconds / Adds < 5, $"an add took {clock.Elapsed.TotalMilliseconds / Adds:F3} ms");
        Assert.Equal(tree.TreeHash(), PublicTree.FromRatchetTree(Suite, tree.ToRatchetTree()).TreeHash());
    }

    // A key_package leaf with distinct keys; the tree operations do not look at signatures.
    private static LeafNode Member(int i)
    {
        var key = new byte[32];
        BitConverter.TryWriteBytes(key, i);
        var signatureKey = (byte[])key.Clone();
        signatureKey[31] = 1;
        return new LeafNode(
            key, signatureKey, Credential.Basic(key), new Capabilities([1], [1], [], [], [1]), LeafNodeSource.KeyPackage, new Lifetime(0, ulong.MaxValue), ReadOnlyMemory<byte>.Empty, [], new byte[64]);
    }
}
