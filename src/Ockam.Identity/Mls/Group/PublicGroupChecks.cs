namespace Ockam.Identity.Mls;

/// <summary>
/// The steps of joining and processing a commit that need no secret, shared by a member (<see cref="MlsGroup"/>) and
/// the Delivery Service (<see cref="PublicGroupState"/>), so that both check a tree and a path the same way.
/// </summary>
internal static class PublicGroupChecks
{
    /// <summary>
    /// ConfirmedTranscriptHashInput (§8.2): wire_format, the FramedContent of the commit, and its signature.
    /// </summary>
    public static byte[] ConfirmedTranscriptHashInput(WireFormat wireFormat, FramedContent content, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(content);
        var writer = new MlsWriter();
        writer.WriteUInt16((ushort)wireFormat);
        content.Write(writer);
        writer.WriteVector(signature);
        return writer.ToArray();
    }

    /// <summary>
    /// The tree of <paramref name="groupInfo"/>'s epoch — <paramref name="outOfBand"/> when given, else its ratchet_tree
    /// extension — validated (leaf signatures, key uniqueness, parent hashes), its hash the GroupContext's, and every
    /// leaf accepted by the Authentication Service and meeting the required capabilities (§12.4.3.1).
    /// </summary>
    /// <exception cref="MlsGroupException">No tree, or one that is malformed, invalid, of another hash, or with a leaf refused.</exception>
    public static PublicTree ValidatedTree(MlsGroupServices services, CipherSuite suite, GroupInfo groupInfo, RatchetTree? outOfBand)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(groupInfo);
        var wire = outOfBand;
        if (wire is null)
        {
            var extension = groupInfo.Extensions.FirstOrDefault(e => e.ExtensionType == ExtensionType.RatchetTree)
                ?? throw new MlsGroupException(MlsGroupError.InvalidTree, "the Welcome has no ratchet_tree extension and no tree was given out of band");
            try
            {
                wire = RatchetTree.Decode(extension.ExtensionData.Span);
            }
            catch (Encoding.OckamDecodeException e)
            {
                throw new MlsGroupException(MlsGroupError.InvalidTree, "the ratchet_tree extension is malformed", e);
            }
        }

        var context = groupInfo.GroupContext;
        PublicTree tree;
        try
        {
            tree = PublicTree.FromRatchetTree(suite, wire);
            tree.Validate(services.Vault, context.GroupId);
        }
        catch (MlsCryptoException e)
        {
            throw new MlsGroupException(MlsGroupError.InvalidTree, $"the group's ratchet tree is invalid: {e.Message}", e);
        }

        if (!tree.TreeHash().AsSpan().SequenceEqual(context.TreeHash))
        {
            throw new MlsGroupException(MlsGroupError.InvalidTree, "the ratchet tree's hash is not the GroupContext's tree_hash");
        }

        var required = ProposalList.ReadRequirement(context.Extensions);
        foreach (var (index, leaf) in tree.Members())
        {
            ProposalList.CheckLeaf(services, required, leaf, $"the leaf at {index}");
        }

        return tree;
    }

    /// <summary>
    /// Checks the public part of <paramref name="committer"/>'s UpdatePath (§12.4.2) — a commit leaf with a new
    /// encryption key, accepted by the Authentication Service under the <paramref name="extensions"/> the commit leaves
    /// the group with, of a credential type every member supports, no key repeated or already in the tree, its leaf
    /// signature and parent hashes — and merges it into <paramref name="tree"/>, the provisional copy the proposals
    /// were applied to. <paramref name="before"/> is the tree of the commit's epoch.
    /// </summary>
    /// <exception cref="MlsGroupException">The path is refused; <paramref name="tree"/> may be partly changed and must be dropped.</exception>
    public static void MergePath(
        MlsGroupServices services, PublicTree before, PublicTree tree, ReadOnlySpan<byte> groupId, LeafIndex committer, UpdatePath path, IReadOnlyList<Extension> extensions)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(extensions);
        var leaf = path.LeafNode;
        if (leaf.LeafNodeSource != LeafNodeSource.Commit)
        {
            throw new MlsGroupException(MlsGroupError.InvalidPath, $"the UpdatePath leaf of {committer} has source {leaf.LeafNodeSource}, not commit");
        }

        if (leaf.EncryptionKey.Span.SequenceEqual(before.Leaf(committer)!.EncryptionKey.Span))
        {
            throw new MlsGroupException(MlsGroupError.InvalidPath, $"the UpdatePath leaf of {committer} keeps its encryption key");
        }

        ProposalList.CheckLeaf(services, ProposalList.ReadRequirement(extensions), leaf, $"the UpdatePath leaf of {committer}");
        if (!new CredentialSupport(tree, new HashSet<LeafIndex> { committer }).Admits(leaf))
        {
            throw new MlsGroupException(MlsGroupError.InvalidPath, $"the UpdatePath leaf of {committer} has a credential type not supported by every member, or does not support every type in use");
        }

        // §12.4.2: none of the path's keys may already be in the tree, or the committer could make members encrypt
        // to a key someone else holds.
        var pathKeys = path.Nodes.Select(n => Convert.ToHexString(n.EncryptionKey.Span)).ToHashSet();
        if (pathKeys.Count != path.Nodes.Count)
        {
            throw new MlsGroupException(MlsGroupError.InvalidPath, $"the UpdatePath of {committer} repeats a key");
        }

        for (var i = 0u; i < TreeMath.NodeWidth(tree.LeafCount); i++)
        {
            if (tree[new NodeIndex(i)] is { } node && pathKeys.Contains(Convert.ToHexString((node.Leaf?.EncryptionKey ?? node.Parent!.EncryptionKey).Span)))
            {
                throw new MlsGroupException(MlsGroupError.InvalidPath, $"the UpdatePath of {committer} reuses the key of {new NodeIndex(i)}");
            }
        }

        try
        {
            tree.VerifyLeafNode(services.Vault, groupId, committer, leaf);
            tree.MergeUpdatePath(committer, path);
        }
        catch (MlsCryptoException e)
        {
            throw new MlsGroupException(MlsGroupError.InvalidPath, $"the UpdatePath of {committer} is invalid: {e.Message}", e);
        }
    }
}
