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
