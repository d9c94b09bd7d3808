using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// The public ratchet tree a member holds (RFC 9420 §4, §7): every node's public content, in the array
/// representation of Appendix C, always full — its leaf count a power of two — as §7.7 has it. The wire form
/// (<see cref="RatchetTree"/>) drops the trailing blank nodes; this one keeps them.
/// <para>
/// Each node's tree hash (§7.8) is cached and a change forgets only the hashes of the changed node and its
/// ancestors, so an Add, Remove, Update or merged UpdatePath rehashes O(log n) nodes, not the whole tree.
/// </para>
/// <para>
/// Operations change the tree in place and validate before they change anything; the group layer applies a
/// commit to a <see cref="Clone"/> and keeps it only once the whole commit has been accepted.
/// </para>
/// </summary>
internal sealed class PublicTree
{
    private readonly CipherSuite suite;
    private readonly CopyOnWriteArray<Node?> nodes;
    private readonly CopyOnWriteArray<byte[]?> treeHashes;

    private PublicTree(CipherSuite suite, CopyOnWriteArray<Node?> nodes, CopyOnWriteArray<byte[]?> treeHashes)
    {
        this.suite = suite;
        this.nodes = nodes;
        this.treeHashes = treeHashes;
    }

    /// <summary>The number of leaves, blank ones included: a power of two.</summary>
    public uint LeafCount => (uint)(nodes.Length + 1) / 2;

    public NodeIndex Root => TreeMath.Root(LeafCount);

    /// <summary>A one-member tree, as the creator of a group starts it (§11).</summary>
    public static PublicTree Create(CipherSuite suite, LeafNode creator)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(creator);
        var nodes = new CopyOnWriteArray<Node?>(1) { [0] = Node.FromLeaf(creator) };
        return new PublicTree(suite, nodes, new CopyOnWriteArray<byte[]?>(1));
    }

    /// <summary>
    /// The tree that <paramref name="wire"/> describes, padded with blank nodes to a full tree. Nothing in it is
    /// validated here: a joiner calls <see cref="Validate"/> before trusting it.
    /// </summary>
    public static PublicTree FromRatchetTree(CipherSuite suite, RatchetTree wire)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(wire);
        var wireLeaves = (uint)(wire.Nodes.Count + 1) / 2;
        if (wireLeaves == 0 || wireLeaves > TreeMath.MaxLeafCount)
        {
            throw new MlsCryptoException($"a ratchet tree of {wire.Nodes.Count} nodes is not a tree of 1 to 2^31 leaves");
        }

        var full = new CopyOnWriteArray<Node?>((int)TreeMath.NodeWidth(System.Numerics.BitOperations.RoundUpToPowerOf2(wireLeaves)));
        for (var i = 0; i < wire.Nodes.Count; i++)
        {
            full[i] = wire.Nodes[i];
        }

        return new PublicTree(suite, full, new CopyOnWriteArray<byte[]?>(full.Length));
    }

    /// <summary>The wire form (§12.4.3.3): the nodes up to the last non-blank leaf.</summary>
    public RatchetTree ToRatchetTree()
    {
        var last = nodes.Length - 1;
        while (last > 0 && nodes[last] is null)
        {
            last -= 2;
        }

        return new RatchetTree(nodes.ToArray(last + 1));
    }

    /// <summary>
    /// A copy that changes independently, for applying a commit provisionally. Nodes and hashes are immutable, so the
    /// two share them, and their arrays until either writes (<see cref="CopyOnWriteArray{T}"/>).
    /// </summary>
    public PublicTree Clone() => new(suite, nodes.Clone(), treeHashes.Clone());

    /// <summary>The node at <paramref name="index"/>; null when blank.</summary>
    public Node? this[NodeIndex index] => nodes[Check(index)];

    public LeafNode? Leaf(LeafIndex leaf) => this[leaf.Node]?.Leaf;

    /// <summary>The parent node at <paramref name="index"/>, an odd index; null when blank.</summary>
    public ParentNode? Parent(NodeIndex index) =>
        index.IsLeaf ? throw new ArgumentException($"{index} is a leaf", nameof(index)) : this[index]?.Parent;

    public bool IsBlank(NodeIndex index) => this[index] is null;

    /// <summary>The leaves that hold a member, in order.</summary>
    public IEnumerable<(LeafIndex Index, LeafNode Leaf)> Members()
    {
        for (var i = 0u; i < LeafCount; i++)
        {
            if (nodes[2 * i]?.Leaf is { } leaf)
            {
                yield return (new LeafIndex(i), leaf);
            }
        }
    }

    /// <summary>
    /// The resolution of a node (§4.1.1): a non-blank node and its unmerged leaves; nothing for a blank leaf; the
    /// resolutions of the children of a blank parent. Leaves in <paramref name="excluded"/> (the members a commit
    /// adds, to which its UpdatePath does not encrypt, §7.6) are left out.
    /// </summary>
    public List<NodeIndex> Resolution(NodeIndex index, IReadOnlySet<LeafIndex>? excluded = null)
    {
        var resolution = new List<NodeIndex>();
        Check(index);
        Resolve(index, excluded, resolution);
        return resolution;
    }

    /// <summary>
    /// The filtered direct path of a leaf (§4.1.2) — its direct path without the nodes whose copath child has an
    /// empty resolution — each node with that copath child, from the leaf's parent up to the root.
    /// </summary>
    public List<(NodeIndex Node, NodeIndex CopathChild)> FilteredDirectPath(LeafIndex leaf)
    {
        var path = TreeMath.DirectPath(leaf.Node, LeafCount);
        var copath = TreeMath.Copath(leaf.Node, LeafCount);
        var filtered = new List<(NodeIndex, NodeIndex)>(path.Count);
        for (var i = 0; i < path.Count; i++)
        {
            if (HasNonEmptyResolution(copath[i]))
            {
                filtered.Add((path[i], copath[i]));
            }
        }

        return filtered;
    }

    /// <summary>The tree hash of the root (§7.8), which goes into the GroupContext.</summary>
    public byte[] TreeHash() => TreeHash(Root);

    /// <summary>The tree hash of <paramref name="index"/>'s subtree (§7.8), from the cache where it is still valid.</summary>
    public byte[] TreeHash(NodeIndex index)
    {
        Check(index);
        return (byte[])CachedTreeHash(index).Clone();
    }

    /// <summary>
    /// Adds a member (§12.1.1): at the leftmost blank leaf, after extending the tree if it has none; the new leaf
    /// becomes unmerged at every non-blank node of its direct path, since it does not know their private keys.
    /// </summary>
    public LeafIndex AddLeaf(LeafNode leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var index = LeftmostBlankLeaf() ?? Extend();
        SetNode(index.Node, Node.FromLeaf(leaf));
        foreach (var ancestor in TreeMath.DirectPath(index.Node, LeafCount))
        {
            if (nodes[ancestor.Value]?.Parent is { } parent)
            {
                SetNode(ancestor, Node.FromParent(new ParentNode(parent.EncryptionKey, parent.ParentHash, [.. parent.UnmergedLeaves, index])));
            }
        }

        return index;
    }

    /// <summary>
    /// Applies an Update (§12.1.2): the member's leaf is replaced and its direct path blanked, since the keys there
    /// were known to the old leaf's key holder.
    /// </summary>
    public void UpdateLeaf(LeafIndex leaf, LeafNode replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        RequireMember(leaf);
        SetNode(leaf.Node, Node.FromLeaf(replacement));
        BlankDirectPath(leaf);
    }

    /// <summary>
    /// Applies a Remove (§12.1.3): the leaf and its direct path are blanked, then the tree is truncated (§7.7) while
    /// its right half holds nothing, so it stays as small as its rightmost member allows.
    /// </summary>
    public void RemoveLeaf(LeafIndex leaf)
    {
        RequireMember(leaf);
        SetNode(leaf.Node, null);
        BlankDirectPath(leaf);
        Truncate();
    }

    /// <summary>
    /// Merges a committer's UpdatePath into the tree (§7.5, the recipient's side): checks its leaf is a commit-source
    /// leaf, that it has one node per node of the committer's filtered direct path and that the new leaf's parent_hash is the parent hash the path's
    /// keys make (§7.9), then blanks the direct path and sets each filtered node's key, parent hash and no unmerged
    /// leaves. The leaf's signature is the caller's to verify first (<see cref="VerifyLeafNode"/>).
    /// Returns the filtered direct path the UpdatePath's nodes follow.
    /// </summary>
    /// <exception cref="MlsCryptoException">The UpdatePath does not fit the tree, or its parent hash does not match.</exception>
    public List<(NodeIndex Node, NodeIndex CopathChild)> MergeUpdatePath(LeafIndex sender, UpdatePath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        RequireMember(sender);
        if (path.LeafNode.LeafNodeSource != LeafNodeSource.Commit)
        {
            throw new MlsCryptoException($"the UpdatePath leaf of {sender} has source {path.LeafNode.LeafNodeSource}, not commit (§7.3)");
        }

        var filtered = FilteredDirectPath(sender);
        if (path.Nodes.Count != filtered.Count)
        {
            throw new MlsCryptoException($"an UpdatePath from {sender} has {path.Nodes.Count} nodes, not one per node of its filtered direct path ({filtered.Count})");
        }

        var (parents, leafParentHash) = ChainParentHashes(filtered, path.Nodes.Select(n => n.EncryptionKey).ToList());
        if (!path.LeafNode.ParentHash.Span.SequenceEqual(leafParentHash))
        {
            throw new MlsCryptoException($"the UpdatePath leaf of {sender} has a parent_hash that is not its path's parent hash");
        }

        BlankDirectPath(sender);
        for (var i = 0; i < filtered.Count; i++)
        {
            SetNode(filtered[i].Node, Node.FromParent(parents[i]));
        }

        SetNode(sender.Node, Node.FromLeaf(path.LeafNode));
        return filtered;
    }

    /// <summary>
    /// The parent nodes an UpdatePath with keys <paramref name="keys"/> along <paramref name="filtered"/> puts in the
    /// tree, and the parent hash its leaf must carry (§7.9): from the root down, each node's parent_hash is the parent
    /// hash of the node above it with that node's copath child as sibling; the root's is empty. Since the path's
    /// nodes get no unmerged leaves, each original sibling tree hash is the sibling's current tree hash.
    /// </summary>
    public (ParentNode[] Parents, byte[] LeafParentHash) ChainParentHashes(List<(NodeIndex Node, NodeIndex CopathChild)> filtered, IReadOnlyList<ReadOnlyMemory<byte>> keys)
    {
        ArgumentNullException.ThrowIfNull(filtered);
        ArgumentNullException.ThrowIfNull(keys);
        var parents = new ParentNode[filtered.Count];
        var above = Array.Empty<byte>();
        for (var i = filtered.Count - 1; i >= 0; i--)
        {
            parents[i] = new ParentNode(keys[i], above, []);
            above = ParentHash(parents[i], CachedTreeHash(filtered[i].CopathChild));
        }

        return (parents, above);
    }

    /// <summary>
    /// Checks a leaf node as it enters or sits in the tree at <paramref name="leaf"/> (§7.3, as far as the tree
    /// goes): its signature over LeafNodeTBS — bound to <paramref name="groupId"/> and its index unless its source
    /// is key_package — and that no other member has its encryption key or signature key. Credentials, capabilities
    /// and lifetimes are the group layer's.
    /// </summary>
    /// <exception cref="MlsCryptoException">The signature does not verify, or a key is already in use.</exception>
    public void VerifyLeafNode(IVault vault, ReadOnlySpan<byte> groupId, LeafIndex leaf, LeafNode node)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(node);
        if (!LabeledSignature.VerifyWithLabel(vault, node.SignatureKey.Span, LeafNode.SignatureLabel, node.EncodeTbs(groupId, leaf), node.Signature.Span))
        {
            throw new MlsCryptoException($"the signature of the leaf node at {leaf} does not verify");
        }

        CheckKeysUnique(leaf, node);
    }

    /// <summary>
    /// The part of <see cref="VerifyLeafNode"/> that needs the tree: no other member has <paramref name="node"/>'s
    /// encryption key or signature key. Alone, for a key_package leaf whose signature the KeyPackage's validation
    /// verified already: its LeafNodeTBS names no group and no index (§7.2), so checking it again where it lands would
    /// verify the same bytes twice.
    /// </summary>
    /// <exception cref="MlsCryptoException">A key is already in use.</exception>
    public void CheckKeysUnique(LeafIndex leaf, LeafNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        foreach (var (other, member) in Members())
        {
            if (other == leaf)
            {
                continue;
            }

            if (member.EncryptionKey.Span.SequenceEqual(node.EncryptionKey.Span))
            {
                throw new MlsCryptoException($"the leaf node at {leaf} has the encryption key of {other}");
            }

            if (member.SignatureKey.Span.SequenceEqual(node.SignatureKey.Span))
            {
                throw new MlsCryptoException($"the leaf node at {leaf} has the signature key of {other}");
            }
        }
    }

    /// <summary>
    /// Validates a tree as a joiner receives it (§7.3, §7.9.2, §12.4.3.1): every leaf's signature, encryption keys
    /// unique across all nodes, signature keys unique across the leaves, unmerged leaves that are members below
    /// their node, and every non-blank parent node parent-hash valid.
    /// </summary>
    /// <exception cref="MlsCryptoException">Any check fails.</exception>
    public void Validate(IVault vault, ReadOnlySpan<byte> groupId)
    {
        ArgumentNullException.ThrowIfNull(vault);
        var encryptionKeys = new HashSet<string>();
        var signatureKeys = new HashSet<string>();
        for (var i = 0; i < nodes.Length; i++)
        {
            if (nodes[i] is not { } node)
            {
                continue;
            }

            var index = new NodeIndex((uint)i);
            if (node.Leaf is { } leaf)
            {
                var leafIndex = new LeafIndex(index.Value / 2);
                if (!LabeledSignature.VerifyWithLabel(vault, leaf.SignatureKey.Span, LeafNode.SignatureLabel, leaf.EncodeTbs(groupId, leafIndex), leaf.Signature.Span))
                {
                    throw new MlsCryptoException($"the signature of the leaf node at {leafIndex} does not verify");
                }

                if (!signatureKeys.Add(Convert.ToHexString(leaf.SignatureKey.Span)))
                {
                    throw new MlsCryptoException($"the signature key of {leafIndex} is another member's");
                }
            }
            else
            {
                CheckUnmergedLeaves(index, node.Parent!);
            }

            if (!encryptionKeys.Add(Convert.ToHexString((node.Leaf?.EncryptionKey ?? node.Parent!.EncryptionKey).Span)))
            {
                throw new MlsCryptoException($"the encryption key of {index} is already used in the tree");
            }
        }

        VerifyParentHashes();
    }

    /// <summary>
    /// Checks that every non-blank parent node is parent-hash valid (§7.9.2), "top down": exactly one node below it
    /// carries its parent hash, in the resolution of one child C, with the parent's unmerged leaves under C being
    /// the rest of C's resolution, and the hash taken with the other child's original tree hash — its subtree as it
    /// was before the parent's unmerged leaves were added.
    /// </summary>
    /// <exception cref="MlsCryptoException">A parent node is not covered by exactly one such child.</exception>
    public void VerifyParentHashes()
    {
        for (var i = 1; i < nodes.Length; i += 2)
        {
            if (nodes[i]?.Parent is not { } parent)
            {
                continue;
            }

            var index = new NodeIndex((uint)i);
            var left = TreeMath.Left(index);
            var right = TreeMath.Right(index);
            var unmerged = new HashSet<LeafIndex>(parent.UnmergedLeaves);
            var valid = CountParentHashLinks(parent, unmerged, left, right) + CountParentHashLinks(parent, unmerged, right, left);
            if (valid != 1)
            {
                throw new MlsCryptoException($"the parent node at {index} is parent-hash valid through {valid} descendants, not exactly one");
            }
        }
    }

    /// <summary><c>Hash(ParentHashInput)</c> (§7.9) of <paramref name="parent"/> with its copath child's original tree hash.</summary>
    public static byte[] ParentHash(ParentNode parent, ReadOnlySpan<byte> originalSiblingTreeHash)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var writer = new MlsWriter();
        writer.WriteVector(parent.EncryptionKey.Span);
        writer.WriteVector(parent.ParentHash.Span);
        writer.WriteVector(originalSiblingTreeHash);
        return SHA256.HashData(writer.Written);
    }

    // The descendants D in child's resolution whose parent_hash is parent's hash with sibling as copath child, and
    // for which the parent's unmerged leaves under child are exactly the rest of that resolution.
    private int CountParentHashLinks(ParentNode parent, HashSet<LeafIndex> unmerged, NodeIndex child, NodeIndex sibling)
    {
        var unmergedUnderChild = unmerged.Where(l => InSubtree(l.Node, child)).Select(l => l.Node).ToHashSet();
        var resolution = Resolution(child);
        if (resolution.Count != unmergedUnderChild.Count + 1)
        {
            return 0;
        }

        var expected = ParentHash(parent, OriginalTreeHash(sibling, unmerged));
        var count = 0;
        foreach (var d in resolution)
        {
            var node = nodes[d.Value]!;
            var parentHash = node.Leaf is { } leaf ? leaf.ParentHash : node.Parent!.ParentHash;
            if (!unmergedUnderChild.Contains(d)
                && resolution.Where(r => r != d).All(unmergedUnderChild.Contains)
                && parentHash.Span.SequenceEqual(expected))
            {
                count++;
            }
        }

        return count;
    }

    // The tree hash of index's subtree with the leaves in blanked blanked and dropped from every unmerged_leaves
    // (§7.9's original_sibling_tree_hash); the cached hash wherever no such leaf lies below.
    private byte[] OriginalTreeHash(NodeIndex index, HashSet<LeafIndex> blanked)
    {
        if (!blanked.Any(l => InSubtree(l.Node, index)))
        {
            return CachedTreeHash(index);
        }

        if (index.IsLeaf)
        {
            return HashLeaf(new LeafIndex(index.Value / 2), null);
        }

        var parent = nodes[index.Value]?.Parent;
        if (parent is not null)
        {
            parent = new ParentNode(parent.EncryptionKey, parent.ParentHash, parent.UnmergedLeaves.Where(l => !blanked.Contains(l)).ToList());
        }

        return HashParent(parent, OriginalTreeHash(TreeMath.Left(index), blanked), OriginalTreeHash(TreeMath.Right(index), blanked));
    }

    // Each unmerged leaf must be a member below the parent: anything else would let a tree name a leaf to encrypt
    // to that the parent's subtree does not hold.
    private void CheckUnmergedLeaves(NodeIndex index, ParentNode parent)
    {
        foreach (var leaf in parent.UnmergedLeaves)
        {
            if (leaf.Value >= LeafCount || !InSubtree(leaf.Node, index) || nodes[leaf.Node.Value] is null)
            {
                throw new MlsCryptoException($"the parent node at {index} lists {leaf} as unmerged, which is not a member below it");
            }
        }
    }

    private byte[] CachedTreeHash(NodeIndex index)
    {
        if (treeHashes[index.Value] is { } cached)
        {
            return cached;
        }

        var hash = index.IsLeaf
            ? HashLeaf(new LeafIndex(index.Value / 2), nodes[index.Value]?.Leaf)
            : HashParent(nodes[index.Value]?.Parent, CachedTreeHash(TreeMath.Left(index)), CachedTreeHash(TreeMath.Right(index)));
        treeHashes[index.Value] = hash;
        return hash;
    }

    // Hash(TreeHashInput) with a LeafNodeHashInput: node_type leaf, leaf_index, optional<LeafNode>.
    private static byte[] HashLeaf(LeafIndex index, LeafNode? leaf)
    {
        var writer = new MlsWriter();
        writer.WriteUInt8((byte)NodeType.Leaf);
        writer.WriteUInt32(index.Value);
        writer.WriteOptional(leaf, static (w, l) => l.Write(w));
        return SHA256.HashData(writer.Written);
    }

    // Hash(TreeHashInput) with a ParentNodeHashInput: node_type parent, optional<ParentNode>, left_hash, right_hash.
    private static byte[] HashParent(ParentNode? parent, ReadOnlySpan<byte> leftHash, ReadOnlySpan<byte> rightHash)
    {
        var writer = new MlsWriter();
        writer.WriteUInt8((byte)NodeType.Parent);
        writer.WriteOptional(parent, static (w, p) => p.Write(w));
        writer.WriteVector(leftHash);
        writer.WriteVector(rightHash);
        return SHA256.HashData(writer.Written);
    }

    private void Resolve(NodeIndex index, IReadOnlySet<LeafIndex>? excluded, List<NodeIndex> resolution)
    {
        switch (nodes[index.Value])
        {
            case { Leaf: not null }:
                if (excluded is null || !excluded.Contains(new LeafIndex(index.Value / 2)))
                {
                    resolution.Add(index);
                }

                break;
            case { Parent: { } parent }:
                resolution.Add(index);
                foreach (var leaf in parent.UnmergedLeaves)
                {
                    if (excluded is null || !excluded.Contains(leaf))
                    {
                        resolution.Add(leaf.Node);
                    }
                }

                break;
            case null when !index.IsLeaf:
                Resolve(TreeMath.Left(index), excluded, resolution);
                Resolve(TreeMath.Right(index), excluded, resolution);
                break;
        }
    }

    // Whether the resolution is non-empty, without building it: a blank subtree is the only empty one.
    private bool HasNonEmptyResolution(NodeIndex index) =>
        nodes[index.Value] is not null
        || (!index.IsLeaf && (HasNonEmptyResolution(TreeMath.Left(index)) || HasNonEmptyResolution(TreeMath.Right(index))));

    private LeafIndex? LeftmostBlankLeaf()
    {
        for (var i = 0u; i < LeafCount; i++)
        {
            if (nodes[2 * i] is null)
            {
                return new LeafIndex(i);
            }
        }

        return null;
    }

    // Doubles the tree (§7.7): a blank root over the old tree and a blank right subtree. Array indices of the old
    // nodes do not move, so their cached hashes stay valid. Returns the first new leaf.
    private LeafIndex Extend()
    {
        var leafCount = LeafCount;
        if (leafCount >= TreeMath.MaxLeafCount)
        {
            throw new MlsCryptoException($"a tree of {leafCount} leaves cannot grow");
        }

        nodes.Resize((int)TreeMath.NodeWidth(2 * leafCount));
        treeHashes.Resize(nodes.Length);
        return new LeafIndex(leafCount);
    }

    // Halves the tree while its right half is blank and it has more than one leaf (§7.7).
    private void Truncate()
    {
        while (LeafCount > 1)
        {
            // The left subtree is the first half; the root (blank after a removal, dropped either way) sits after it.
            var width = nodes.Length / 2;
            for (var i = width + 1; i < nodes.Length; i++)
            {
                if (nodes[i] is not null)
                {
                    return;
                }
            }

            nodes.Resize(width);
            treeHashes.Resize(width);
        }
    }

    private void BlankDirectPath(LeafIndex leaf)
    {
        foreach (var ancestor in TreeMath.DirectPath(leaf.Node, LeafCount))
        {
            SetNode(ancestor, null);
        }
    }

    // Sets a node and forgets the tree hashes that covered it: its own and its ancestors'.
    private void SetNode(NodeIndex index, Node? node)
    {
        nodes[index.Value] = node;
        treeHashes[index.Value] = null;
        var root = Root;
        while (index != root)
        {
            index = TreeMath.Parent(index, LeafCount);
            treeHashes[index.Value] = null;
        }
    }

    private void RequireMember(LeafIndex leaf)
    {
        if (leaf.Value >= LeafCount || nodes[leaf.Node.Value] is null)
        {
            throw new MlsCryptoException($"{leaf} is not a member of the tree");
        }
    }

    private uint Check(NodeIndex index) =>
        index.Value < nodes.Length ? index.Value : throw new ArgumentOutOfRangeException(nameof(index), index, $"outside a tree of {LeafCount} leaves");

    // Whether x lies in the subtree under root: within root's span of 2^(level+1) - 1 nodes centred on it.
    private static bool InSubtree(NodeIndex x, NodeIndex root)
    {
        var half = (1u << TreeMath.Level(root)) - 1;
        return x.Value >= root.Value - half && x.Value <= root.Value + half;
    }
}
