using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// TreeKEM (RFC 9420 §7.4–7.6): deriving the keys along a path from path secrets, and creating a committer's
/// UpdatePath. Recipients decrypt with <see cref="TreeKemPrivate.Decrypt"/>.
/// </summary>
internal static class TreeKem
{
    /// <summary>The EncryptWithLabel label of a path secret (§7.6).</summary>
    public const string UpdatePathNodeLabel = "UpdatePathNode";

    // path_secret[n] = DeriveSecret(path_secret[n-1], "path") (§7.4).
    private const string PathLabel = "path";

    /// <summary>
    /// Creates an UpdatePath for <paramref name="committer"/> (§7.4–7.6) and merges it into <paramref name="tree"/> — the
    /// provisional tree, with the commit's proposals applied, which the caller keeps only if the commit is accepted.
    /// A fresh leaf key; path_secret[0] at random and each next one DeriveSecret(previous, "path"); the node keys
    /// derived from them; parent hashes from the root down; the committer's leaf re-signed with
    /// <paramref name="signatureKey"/> as a commit-source leaf (its other fields kept). Once merged, the tree's hash
    /// gives the provisional GroupContext (<paramref name="provisionalContext"/>, from that tree hash), to which each
    /// path secret is encrypted for every node of its copath child's resolution, less <paramref name="joiners"/> (the
    /// members this commit adds, who get the path secret in the Welcome).
    /// </summary>
    /// <exception cref="MlsCryptoException">The committer's leaf is not in the tree.</exception>
    public static async Task<(UpdatePath Path, TreeKemUpdate Update)> CreateUpdatePathAsync(
        IVault vault,
        CipherSuite suite,
        PublicTree tree,
        LeafIndex committer,
        KeyHandle signatureKey,
        ReadOnlyMemory<byte> groupId,
        IReadOnlySet<LeafIndex> joiners,
        Func<byte[], GroupContext> provisionalContext,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(signatureKey);
        ArgumentNullException.ThrowIfNull(joiners);
        ArgumentNullException.ThrowIfNull(provisionalContext);
        var current = tree.Leaf(committer) ?? throw new MlsCryptoException($"{committer} is not a member of the tree");
        if (!vault.GetPublicKey(signatureKey).AsSpan().SequenceEqual(current.SignatureKey.Span))
        {
            throw new ArgumentException($"the signature key is not the one of {committer}'s leaf", nameof(signatureKey));
        }

        var filtered = tree.FilteredDirectPath(committer);

        // The committer seals each path secret to other members, and HPKE seals bytes, so it holds them as bytes
        // until they are sealed (zeroed then); each is also imported, as the handle the member keeps.
        var secrets = new byte[filtered.Count + 1][];
        var handles = new Dictionary<NodeIndex, KeyHandle>();
        var nodeKeys = new Dictionary<NodeIndex, KeyHandle>();
        KeyHandle? leafKey = null;
        KeyHandle? commitSecret = null;
        try
        {
            secrets[0] = RandomNumberGenerator.GetBytes(suite.Nh);
            var publicKeys = new List<ReadOnlyMemory<byte>>(filtered.Count);
            for (var i = 0; i < filtered.Count; i++)
            {
                var handle = vault.ImportEphemeralKey(KeyType.Secret, secrets[i]);
                handles[filtered[i].Node] = handle;
                var nodeKey = DeriveNodeKey(vault, suite, handle);
                nodeKeys[filtered[i].Node] = nodeKey;
                publicKeys.Add(vault.GetPublicKey(nodeKey));
                secrets[i + 1] = KeyDerivation.ExpandWithLabelToBytes(vault, handle, PathLabel, [], suite.Nh);
            }

            commitSecret = vault.ImportEphemeralKey(KeyType.Secret, secrets[filtered.Count]);
            leafKey = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral, cancellationToken).ConfigureAwait(false);

            var (_, leafParentHash) = tree.ChainParentHashes(filtered, publicKeys);
            var unsigned = new LeafNode(
                vault.GetPublicKey(leafKey), current.SignatureKey, current.Credential, current.Capabilities, LeafNodeSource.Commit, null, leafParentHash, current.Extensions, ReadOnlyMemory<byte>.Empty);
            var signature = LabeledSignature.SignWithLabel(vault, signatureKey, LeafNode.SignatureLabel, unsigned.EncodeTbs(groupId.Span, committer));
            var leaf = new LeafNode(
                unsigned.EncryptionKey, unsigned.SignatureKey, unsigned.Credential, unsigned.Capabilities, LeafNodeSource.Commit, null, leafParentHash, unsigned.Extensions, signature);

            tree.MergeUpdatePath(committer, new UpdatePath(leaf, publicKeys.ConvertAll(k => new UpdatePathNode(k, []))));
            var context = provisionalContext(tree.TreeHash()).Encode();
            var pathNodes = new List<UpdatePathNode>(filtered.Count);
            for (var i = 0; i < filtered.Count; i++)
            {
                var ciphertexts = new List<HpkeCiphertext>();
                foreach (var recipient in tree.Resolution(filtered[i].CopathChild, joiners))
                {
                    var recipientKey = tree[recipient] is { Leaf: { } l } ? l.EncryptionKey : tree[recipient]!.Parent!.EncryptionKey;
                    var (kemOutput, ciphertext) = await LabeledEncryption.EncryptWithLabelAsync(
                        vault, suite, recipientKey.ToArray(), UpdatePathNodeLabel, context, secrets[i], cancellationToken).ConfigureAwait(false);
                    ciphertexts.Add(new HpkeCiphertext(kemOutput, ciphertext));
                }

                pathNodes.Add(new UpdatePathNode(publicKeys[i], ciphertexts));
            }

            var update = new TreeKemUpdate(vault, committer, filtered.Count > 0 ? filtered[0].Node : null, handles, nodeKeys, leafKey, commitSecret);
            return (new UpdatePath(leaf, pathNodes), update);
        }
        catch
        {
            foreach (var key in handles.Values.Concat(nodeKeys.Values))
            {
                vault.DeleteEphemeralKey(key);
            }

            if (leafKey is not null)
            {
                vault.DeleteEphemeralKey(leafKey);
            }

            if (commitSecret is not null)
            {
                vault.DeleteEphemeralKey(commitSecret);
            }

            throw;
        }
        finally
        {
            foreach (var secret in secrets)
            {
                if (secret is not null)
                {
                    Array.Clear(secret);
                }
            }
        }
    }

    /// <summary>node_priv = KEM.DeriveKeyPair(DeriveSecret(path_secret, "node")) (§7.4); the node secret is deleted once used.</summary>
    public static KeyHandle DeriveNodeKey(IVault vault, CipherSuite suite, KeyHandle pathSecret)
    {
        var nodeSecret = KeyDerivation.DeriveSecret(vault, suite, pathSecret, "node");
        try
        {
            return Hpke.Hpke.DeriveKeyPair(vault, nodeSecret);
        }
        finally
        {
            vault.DeleteEphemeralKey(nodeSecret);
        }
    }

    /// <summary>
    /// From <paramref name="pathSecret"/> (consumed) at filtered node <paramref name="first"/>: each path secret up to
    /// the root and its node key, checked against the UpdatePath's public keys, and the commit_secret one step past
    /// the root.
    /// </summary>
    internal static TreeKemUpdate DeriveUp(
        IVault vault, CipherSuite suite, LeafIndex sender, List<(NodeIndex Node, NodeIndex CopathChild)> filtered, UpdatePath path, int first, KeyHandle pathSecret)
    {
        var pathSecrets = new Dictionary<NodeIndex, KeyHandle>();
        var nodeKeys = new Dictionary<NodeIndex, KeyHandle>();
        var secret = pathSecret;
        try
        {
            for (var i = first; i < filtered.Count; i++)
            {
                pathSecrets[filtered[i].Node] = secret;
                var nodeKey = DeriveNodeKey(vault, suite, secret);
                nodeKeys[filtered[i].Node] = nodeKey;
                if (!path.Nodes[i].EncryptionKey.Span.SequenceEqual(vault.GetPublicKey(nodeKey)))
                {
                    throw new MlsCryptoException($"the UpdatePath from {sender} has a key at {filtered[i].Node} that its path secret does not derive");
                }

                secret = KeyDerivation.DeriveSecret(vault, suite, secret, PathLabel);
            }

            return new TreeKemUpdate(vault, sender, filtered[first].Node, pathSecrets, nodeKeys, null, secret);
        }
        catch
        {
            foreach (var key in pathSecrets.Values.Concat(nodeKeys.Values).Append(secret).Distinct())
            {
                vault.DeleteEphemeralKey(key);
            }

            throw;
        }
    }
}
