using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// What one UpdatePath gives a member (RFC 9420 §7.4–7.6), as vault handles this object owns until the commit is
/// accepted: the path secrets from the lowest node the member learns up to the root, the private keys derived from
/// them, the committer's new leaf key (for the committer only) and the commit_secret. The group layer feeds
/// <see cref="CommitSecret"/> to the key schedule, hands the keys over with <see cref="TreeKemPrivate.Apply"/> once
/// the commit is accepted, and disposes this object either way; whatever was not handed over is deleted then.
/// </summary>
internal sealed class TreeKemUpdate : IDisposable
{
    private readonly IVault vault;
    private readonly Dictionary<NodeIndex, KeyHandle> pathSecrets;
    private readonly Dictionary<NodeIndex, KeyHandle> nodeKeys;
    private bool disposed;

    public TreeKemUpdate(
        IVault vault,
        LeafIndex sender,
        NodeIndex? firstNode,
        Dictionary<NodeIndex, KeyHandle> pathSecrets,
        Dictionary<NodeIndex, KeyHandle> nodeKeys,
        KeyHandle? newLeafKey,
        KeyHandle commitSecret)
    {
        this.vault = vault;
        Sender = sender;
        FirstNode = firstNode;
        this.pathSecrets = pathSecrets;
        this.nodeKeys = nodeKeys;
        NewLeafKey = newLeafKey;
        CommitSecret = commitSecret;
    }

    /// <summary>The committer whose UpdatePath this is.</summary>
    public LeafIndex Sender { get; }

    /// <summary>The path secret of each node of the committer's filtered direct path this member learned.</summary>
    public IReadOnlyDictionary<NodeIndex, KeyHandle> PathSecrets => pathSecrets;

    /// <summary>
    /// The lowest node whose path secret this member learned: the one it decrypted, or the committer's first; null for
    /// a committer with an empty filtered direct path.
    /// </summary>
    public NodeIndex? FirstNode { get; }

    /// <summary>The commit_secret: the path secret one step past the root (§8).</summary>
    public KeyHandle CommitSecret { get; }

    /// <summary>The committer's new leaf private key; null for a member that processed someone else's UpdatePath.</summary>
    public KeyHandle? NewLeafKey { get; private set; }

    /// <summary>The private keys of the nodes this member learned, handed over (no longer owned by this object).</summary>
    internal Dictionary<NodeIndex, KeyHandle> TakeNodeKeys()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var taken = new Dictionary<NodeIndex, KeyHandle>(nodeKeys);
        nodeKeys.Clear();
        return taken;
    }

    /// <summary>The new leaf key, handed over (no longer owned by this object).</summary>
    internal KeyHandle? TakeNewLeafKey()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var taken = NewLeafKey;
        NewLeafKey = null;
        return taken;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var key in pathSecrets.Values.Concat(nodeKeys.Values))
        {
            vault.DeleteEphemeralKey(key);
        }

        if (NewLeafKey is not null)
        {
            vault.DeleteEphemeralKey(NewLeafKey);
        }

        vault.DeleteEphemeralKey(CommitSecret);
    }
}
