using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// A member's private view of the ratchet tree (RFC 9420 §4.1, §7.4): the private key of its leaf and of the nodes
/// above it whose path secrets it has learned, as vault handles this object owns. Path secrets themselves are not
/// kept once their node's key is derived: §7.5 has them deleted after processing.
/// </summary>
internal sealed class TreeKemPrivate : IDisposable
{
    private readonly IVault vault;
    private readonly CipherSuite suite;
    private readonly Dictionary<NodeIndex, KeyHandle> nodeKeys = [];
    private bool disposed;

    /// <summary>The state of the member at <paramref name="leaf"/>, whose leaf's HPKE private key is <paramref name="leafKey"/> (now owned here).</summary>
    public TreeKemPrivate(IVault vault, CipherSuite suite, LeafIndex leaf, KeyHandle leafKey)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(leafKey);
        this.vault = vault;
        this.suite = suite;
        Leaf = leaf;
        LeafKey = leafKey;
    }

    /// <summary>
    /// The state restored from saved state: the leaf's key and the keys of <paramref name="nodeKeys"/>, parent nodes,
    /// all now owned here. <see cref="CheckAgainst"/> tells whether they are the tree's.
    /// </summary>
    public TreeKemPrivate(IVault vault, CipherSuite suite, LeafIndex leaf, KeyHandle leafKey, IEnumerable<(NodeIndex Node, KeyHandle Key)> nodeKeys)
        : this(vault, suite, leaf, leafKey)
    {
        ArgumentNullException.ThrowIfNull(nodeKeys);
        foreach (var (node, key) in nodeKeys)
        {
            if (node.IsLeaf || !this.nodeKeys.TryAdd(node, key))
            {
                throw new ArgumentException($"{node} is a leaf or repeated: node keys are one per parent node", nameof(nodeKeys));
            }
        }
    }

    public LeafIndex Leaf { get; }

    /// <summary>The private keys of parent nodes held, which this object owns: for saving its state.</summary>
    public IEnumerable<(NodeIndex Node, KeyHandle Key)> NodeKeys => nodeKeys.Select(n => (n.Key, n.Value));

    /// <summary>The HPKE private key of the member's leaf.</summary>
    public KeyHandle LeafKey { get; private set; }

    /// <summary>The private key this member holds for <paramref name="node"/> (its leaf or a parent), or null.</summary>
    public KeyHandle? PrivateKey(NodeIndex node) => node == Leaf.Node ? LeafKey : nodeKeys.GetValueOrDefault(node);

    /// <summary>
    /// Sets the private key of the parent <paramref name="node"/> from its path secret (§7.4:
    /// node_priv = DeriveKeyPair(DeriveSecret(path_secret, "node"))); the path secret is consumed.
    /// </summary>
    public void SetPathSecret(NodeIndex node, KeyHandle pathSecret)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(pathSecret);
        if (node.IsLeaf)
        {
            throw new ArgumentException($"{node} is a leaf: a path secret belongs to a parent node", nameof(node));
        }

        var key = TreeKem.DeriveNodeKey(vault, suite, pathSecret);
        vault.DeleteEphemeralKey(pathSecret);
        Replace(node, key);
    }

    /// <summary>
    /// Checks this view against the public tree (the tree invariant, §4.1): every node this member holds a key for is
    /// non-blank and carries that key's public key.
    /// </summary>
    /// <exception cref="MlsCryptoException">A key is for a blank node or another public key.</exception>
    public void CheckAgainst(PublicTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        foreach (var (node, key) in nodeKeys.Append(new(Leaf.Node, LeafKey)))
        {
            var published = tree[node] switch
            {
                { Leaf: { } leaf } => leaf.EncryptionKey,
                { Parent: { } parent } => parent.EncryptionKey,
                _ => throw new MlsCryptoException($"the private state of {Leaf} holds a key for {node}, which is blank"),
            };
            if (!published.Span.SequenceEqual(vault.GetPublicKey(key)))
            {
                throw new MlsCryptoException($"the private state of {Leaf} holds a key for {node} that is not the tree's");
            }
        }
    }

    /// <summary>
    /// Decrypts an UpdatePath from <paramref name="sender"/> (§7.5, the recipient's side) once it is merged into
    /// <paramref name="mergedTree"/> (<see cref="PublicTree.MergeUpdatePath"/>): finds the node of the sender's filtered
    /// direct path whose copath child holds this member, the node of that child's resolution (less
    /// <paramref name="joiners"/>) it has a key for, decrypts the path secret with <paramref name="groupContext"/> —
    /// the provisional GroupContext, whose tree hash is <paramref name="mergedTree"/>'s — then derives the path
    /// secrets above it, checks each derived public key is the UpdatePath's, and derives the commit_secret.
    /// Nothing here changes until <see cref="Apply"/>.
    /// </summary>
    /// <exception cref="MlsCryptoException">The UpdatePath does not fit the tree, does not decrypt, or its keys are not the derived ones.</exception>
    public TreeKemUpdate Decrypt(PublicTree mergedTree, LeafIndex sender, UpdatePath path, IReadOnlySet<LeafIndex> joiners, GroupContext groupContext)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(mergedTree);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(joiners);
        ArgumentNullException.ThrowIfNull(groupContext);
        if (sender == Leaf)
        {
            throw new ArgumentException("a member does not decrypt its own UpdatePath", nameof(sender));
        }

        // Merging does not change the filtered direct path: it only sets the path's own nodes, and filtering looks at
        // their copath children.
        var filtered = mergedTree.FilteredDirectPath(sender);
        if (path.Nodes.Count != filtered.Count)
        {
            throw new MlsCryptoException($"an UpdatePath from {sender} has {path.Nodes.Count} nodes, not one per node of its filtered direct path ({filtered.Count})");
        }

        var ancestor = TreeMath.CommonAncestor(sender.Node, Leaf.Node);
        var first = filtered.FindIndex(f => f.Node == ancestor);
        if (first < 0)
        {
            throw new MlsCryptoException($"the UpdatePath from {sender} skips {ancestor}, above {Leaf}");
        }

        var resolution = mergedTree.Resolution(filtered[first].CopathChild, joiners);
        var ciphertexts = path.Nodes[first].EncryptedPathSecret;
        if (ciphertexts.Count != resolution.Count)
        {
            throw new MlsCryptoException($"the UpdatePath from {sender} has {ciphertexts.Count} ciphertexts at {ancestor}, not one per node of the resolution ({resolution.Count})");
        }

        var at = resolution.FindIndex(n => PrivateKey(n) is not null);
        if (at < 0)
        {
            throw new MlsCryptoException($"{Leaf} holds no key for the resolution under {ancestor}");
        }

        var plaintext = LabeledEncryption.DecryptWithLabel(
            vault, suite, PrivateKey(resolution[at])!, TreeKem.UpdatePathNodeLabel, groupContext.Encode(), ciphertexts[at].KemOutput.Span, ciphertexts[at].Ciphertext.Span);
        KeyHandle pathSecret;
        try
        {
            if (plaintext.Length != suite.Nh)
            {
                throw new MlsCryptoException($"a path secret from {sender} is {plaintext.Length} bytes, not {suite.Nh}");
            }

            pathSecret = vault.ImportEphemeralKey(KeyType.Secret, plaintext);
        }
        finally
        {
            Array.Clear(plaintext);
        }

        return TreeKem.DeriveUp(vault, suite, sender, filtered, path, first, pathSecret);
    }

    /// <summary>
    /// Takes the keys of an accepted UpdatePath, merged into <paramref name="mergedTree"/>: forgets every key on the sender's direct path (§7.5: the merge blanked
    /// it, so those keys are outdated and deleted), then holds the new ones — and, for the committer, its new leaf key.
    /// </summary>
    public void Apply(TreeKemUpdate update, PublicTree mergedTree)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(mergedTree);
        foreach (var node in TreeMath.DirectPath(update.Sender.Node, mergedTree.LeafCount))
        {
            if (nodeKeys.Remove(node, out var outdated))
            {
                vault.DeleteEphemeralKey(outdated);
            }
        }

        if (update.Sender == Leaf && update.TakeNewLeafKey() is { } leafKey)
        {
            vault.DeleteEphemeralKey(LeafKey);
            LeafKey = leafKey;
        }

        foreach (var (node, key) in update.TakeNodeKeys())
        {
            Replace(node, key);
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var key in nodeKeys.Values)
        {
            vault.DeleteEphemeralKey(key);
        }

        vault.DeleteEphemeralKey(LeafKey);
    }

    private void Replace(NodeIndex node, KeyHandle key)
    {
        if (nodeKeys.Remove(node, out var old))
        {
            vault.DeleteEphemeralKey(old);
        }

        nodeKeys[node] = key;
    }
}
