using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// The secret tree of an epoch (RFC 9420 §9): its root is the epoch's encryption_secret, and
/// <code>
/// tree_node_[left(N)]_secret  = ExpandWithLabel(tree_node_[N]_secret, "tree", "left",  KDF.Nh)
/// tree_node_[right(N)]_secret = ExpandWithLabel(tree_node_[N]_secret, "tree", "right", KDF.Nh)
/// handshake_ratchet_secret_[N]_[0]   = ExpandWithLabel(tree_node_[N]_secret, "handshake",   "", KDF.Nh)
/// application_ratchet_secret_[N]_[0] = ExpandWithLabel(tree_node_[N]_secret, "application", "", KDF.Nh)
/// </code>
/// Secrets are derived when a leaf's ratchets are first asked for, and each node's secret is deleted
/// as soon as its children's (or, at a leaf, its ratchets') are derived (§9.2). All are vault handles.
/// </summary>
internal sealed class SecretTree : IDisposable
{
    private readonly IVault vault;
    private readonly CipherSuite suite;
    private readonly uint leafCount;
    private readonly Dictionary<NodeIndex, KeyHandle> nodeSecrets = [];
    private readonly Dictionary<LeafIndex, (HashRatchet Handshake, HashRatchet Application)> ratchets = [];

    /// <summary>A tree of <paramref name="leafCount"/> leaves (a power of two) rooted at <paramref name="encryptionSecret"/>, which the tree now owns.</summary>
    public SecretTree(IVault vault, CipherSuite suite, KeyHandle encryptionSecret, uint leafCount)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(encryptionSecret);
        this.vault = vault;
        this.suite = suite;
        this.leafCount = leafCount;
        nodeSecrets[TreeMath.Root(leafCount)] = encryptionSecret;
    }

    private SecretTree(IVault vault, CipherSuite suite, uint leafCount)
    {
        this.vault = vault;
        this.suite = suite;
        this.leafCount = leafCount;
    }

    /// <summary>The node secrets still held (not yet split into children or ratchets), which the tree owns: for saving its state.</summary>
    public IEnumerable<(NodeIndex Node, KeyHandle Secret)> NodeSecrets => nodeSecrets.Select(n => (n.Key, n.Value));

    /// <summary>The leaves whose ratchets are derived, with them, which the tree owns: for saving its state.</summary>
    public IEnumerable<(LeafIndex Leaf, HashRatchet Handshake, HashRatchet Application)> Ratchets =>
        ratchets.Select(r => (r.Key, r.Value.Handshake, r.Value.Application));

    /// <summary>
    /// Why held node secrets at <paramref name="nodes"/> and ratchets of <paramref name="leaves"/> are not the state of a
    /// secret tree of <paramref name="leafCount"/> leaves, or null when they are: every node within the tree, and every
    /// leaf with exactly one source of its keys — its ratchets, or one held secret on its path to the root. (A leaf with
    /// none could never be read from again; one with two was given secrets the tree had deleted.)
    /// </summary>
    public static string? CheckShape(uint leafCount, IReadOnlyCollection<NodeIndex> nodes, IReadOnlyCollection<LeafIndex> leaves)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(leaves);
        if (leafCount == 0 || leafCount > TreeMath.MaxLeafCount || !System.Numerics.BitOperations.IsPow2(leafCount))
        {
            return $"a secret tree of {leafCount} leaves";
        }

        var width = TreeMath.NodeWidth(leafCount);
        var held = nodes.ToHashSet();
        var derived = leaves.ToHashSet();
        if (held.Count != nodes.Count || derived.Count != leaves.Count)
        {
            return "a node or leaf repeated";
        }

        if (held.Any(n => n.Value >= width) || derived.Any(l => l.Value >= leafCount))
        {
            return $"a node or leaf outside a tree of {leafCount} leaves";
        }

        for (var leaf = 0u; leaf < leafCount; leaf++)
        {
            var index = new LeafIndex(leaf);
            var sources = (derived.Contains(index) ? 1 : 0) + (held.Contains(index.Node) ? 1 : 0)
                + TreeMath.DirectPath(index.Node, leafCount).Count(held.Contains);
            if (sources != 1)
            {
                return $"{index} has {sources} sources of keys, not one";
            }
        }

        return null;
    }

    /// <summary>
    /// A tree restored from saved state: <paramref name="nodes"/> still held and the <paramref name="leaves"/>' ratchets,
    /// which the tree now owns. Their shape is the caller's to have checked (<see cref="CheckShape"/>).
    /// </summary>
    public static SecretTree Restore(
        IVault vault, CipherSuite suite, uint leafCount, IEnumerable<(NodeIndex Node, KeyHandle Secret)> nodes, IEnumerable<(LeafIndex Leaf, HashRatchet Handshake, HashRatchet Application)> leaves)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(leaves);
        var tree = new SecretTree(vault, suite, leafCount);
        foreach (var (node, secret) in nodes)
        {
            tree.nodeSecrets.Add(node, secret);
        }

        foreach (var (leaf, handshake, application) in leaves)
        {
            tree.ratchets.Add(leaf, (handshake, application));
        }

        return tree;
    }

    /// <summary>The number of leaves: every leaf index below it has ratchets.</summary>
    public uint LeafCount => leafCount;

    /// <summary>The <paramref name="type"/> ratchet of <paramref name="leaf"/>, derived on first use.</summary>
    public HashRatchet Ratchet(LeafIndex leaf, RatchetType type)
    {
        if (leaf.Value >= leafCount)
        {
            throw new ArgumentOutOfRangeException(nameof(leaf), leaf, $"the tree has {leafCount} leaves");
        }

        if (!ratchets.TryGetValue(leaf, out var pair))
        {
            pair = DeriveRatchets(leaf);
            ratchets[leaf] = pair;
        }

        return type == RatchetType.Handshake ? pair.Handshake : pair.Application;
    }

    public void Dispose()
    {
        foreach (var secret in nodeSecrets.Values)
        {
            vault.DeleteEphemeralKey(secret);
        }

        foreach (var (handshake, application) in ratchets.Values)
        {
            handshake.Dispose();
            application.Dispose();
        }

        nodeSecrets.Clear();
        ratchets.Clear();
    }

    private (HashRatchet Handshake, HashRatchet Application) DeriveRatchets(LeafIndex leaf)
    {
        // The lowest node on the leaf's path to the root whose secret is still held. Every secret on the
        // way down from it is derived from it, so there is always exactly one such node for a leaf
        // whose ratchets were not yet derived.
        var path = new List<NodeIndex> { leaf.Node };
        path.AddRange(TreeMath.DirectPath(leaf.Node, leafCount));
        var start = path.FindIndex(nodeSecrets.ContainsKey);
        if (start < 0)
        {
            throw new InvalidOperationException($"the secret tree holds no secret above {leaf}");
        }

        for (var k = start; k > 0; k--)
        {
            var parent = path[k];
            var secret = nodeSecrets[parent];
            nodeSecrets[TreeMath.Left(parent)] = KeyDerivation.ExpandWithLabel(vault, secret, "tree", "left"u8, suite.SecretSpec);
            nodeSecrets[TreeMath.Right(parent)] = KeyDerivation.ExpandWithLabel(vault, secret, "tree", "right"u8, suite.SecretSpec);
            nodeSecrets.Remove(parent);
            vault.DeleteEphemeralKey(secret);
        }

        var leafSecret = nodeSecrets[leaf.Node];
        var handshake = new HashRatchet(vault, suite, KeyDerivation.ExpandWithLabel(vault, leafSecret, "handshake", [], suite.SecretSpec));
        var application = new HashRatchet(vault, suite, KeyDerivation.ExpandWithLabel(vault, leafSecret, "application", [], suite.SecretSpec));
        nodeSecrets.Remove(leaf.Node);
        vault.DeleteEphemeralKey(leafSecret);
        return (handshake, application);
    }
}
