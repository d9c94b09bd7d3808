using System.Text.Json;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors treekem.json (RFC 9420 §7.4–7.6, §7.9) for cipher suite 1, per test-vectors.md's
/// Verification list: each member's private state (leaf key, path secrets) consistent with the tree; each UpdatePath
/// parent-hash valid and signed, decrypted by every member with a private state to the listed path secret and the
/// commit_secret, merged to the listed tree hash; then a new UpdatePath created by the same sender, from which every
/// other member derives the creator's commit_secret. The GroupContext of both has the tree hash after the merge.
/// </summary>
public sealed class TreeKemVectorTests
{
    private const int SuiteOneCases = 11;
    private const int UpdatePaths = 62;
    private const int Decryptions = 328;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public async Task Every_update_path_of_the_11_suite_1_cases_is_processed_and_recreated_by_every_member()
    {
        using var document = TestVectors.Load("mls/treekem.json");
        var cases = 0;
        var processed = 0;
        var created = 0;
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            using var vault = new SoftwareVault();
            var groupId = vector.Hex("group_id");
            var epoch = vector.GetProperty("epoch").GetUInt64();
            var confirmed = vector.Hex("confirmed_transcript_hash");
            GroupContext Context(byte[] treeHash) => new(Suite.Id, groupId, epoch, treeHash, confirmed, []);

            var tree = PublicTree.FromRatchetTree(Suite, RatchetTree.Decode(vector.Hex("ratchet_tree")));
            var members = LoadMembers(vault, vector, tree);

            var updatePaths = vector.GetProperty("update_paths");
            for (var u = 0; u < updatePaths.GetArrayLength(); u++)
            {
                var entry = updatePaths[u];
                var sender = new LeafIndex(entry.GetProperty("sender").GetUInt32());
                var path = MlsReader.DecodeExact(entry.Hex("update_path"), UpdatePath.Read);
                var commitSecret = entry.Hex("commit_secret");

                var merged = Merge(vault, tree, groupId, sender, path);
                Assert.Equal(entry.Hex("tree_hash_after"), merged.TreeHash());
                var context = Context(merged.TreeHash());
                foreach (var (index, (state, _)) in members.Where(m => m.Key != sender))
                {
                    using var update = state.Decrypt(merged, sender, path, new HashSet<LeafIndex>(), context);
                    var expected = Convert.FromHexString(entry.GetProperty("path_secrets")[(int)index.Value].GetString()!);
                    Assert.Equal(expected, vault.ExportSecret(update.PathSecrets[update.FirstNode!.Value]));
                    Assert.Equal(commitSecret, vault.ExportSecret(update.CommitSecret));
                    processed++;
                }

                // A new UpdatePath from the same sender, which every other member processes to the same commit_secret.
                var (_, signatureKey) = members[sender];
                var fresh = tree.Clone();
                var (newPath, mine) = await TreeKem.CreateUpdatePathAsync(vault, Suite, fresh, sender, signatureKey, groupId, new HashSet<LeafIndex>(), Context);
                using (mine)
                {
                    var newCommitSecret = vault.ExportSecret(mine.CommitSecret);
                    Assert.NotEqual(commitSecret, newCommitSecret);
                    var remerged = Merge(vault, tree, groupId, sender, newPath);
                    Assert.Equal(fresh.TreeHash(), remerged.TreeHash());
                    var last = u == updatePaths.GetArrayLength() - 1;
                    foreach (var (index, (state, _)) in members.Where(m => m.Key != sender))
                    {
                        using var update = state.Decrypt(remerged, sender, newPath, new HashSet<LeafIndex>(), Context(remerged.TreeHash()));
                        Assert.Equal(newCommitSecret, vault.ExportSecret(update.CommitSecret));
                        if (last)
                        {
                            // After the last path, each member takes the new keys and matches the new tree.
                            state.Apply(update, remerged);
                            state.CheckAgainst(remerged);
                        }
                    }

                    if (last)
                    {
                        members[sender].Private.Apply(mine, fresh);
                        members[sender].Private.CheckAgainst(fresh);
                    }
                }

                created++;
            }

            foreach (var (state, _) in members.Values)
            {
                state.Dispose();
            }

            cases++;
        }

        Assert.Equal(SuiteOneCases, cases);
        Assert.Equal(Decryptions, processed);
        Assert.Equal(UpdatePaths, created);
    }

    [Fact]
    public void An_update_path_with_a_swapped_key_or_a_changed_leaf_is_refused()
    {
        using var vault = new SoftwareVault();
        var (tree, members, groupId, context, entry) = LargestCase(vault);
        var sender = new LeafIndex(entry.GetProperty("sender").GetUInt32());
        var path = MlsReader.DecodeExact(entry.Hex("update_path"), UpdatePath.Read);

        // Another key at the first node: the leaf's signed parent hash no longer matches the path.
        var swapped = new UpdatePath(path.LeafNode, [new UpdatePathNode(path.Nodes[1].EncryptionKey, path.Nodes[0].EncryptedPathSecret), .. path.Nodes.Skip(1)]);
        Assert.Throws<MlsCryptoException>(() => tree.Clone().MergeUpdatePath(sender, swapped));

        // A leaf whose parent hash is changed to fit no longer carries the committer's signature.
        var leaf = path.LeafNode;
        var changed = new LeafNode(leaf.EncryptionKey, leaf.SignatureKey, leaf.Credential, leaf.Capabilities, leaf.LeafNodeSource, leaf.Lifetime, new byte[32], leaf.Extensions, leaf.Signature);
        Assert.Throws<MlsCryptoException>(() => tree.VerifyLeafNode(vault, groupId, sender, changed));

        // Merged honestly, but decrypted under another GroupContext: HPKE refuses.
        var merged = tree.Clone();
        merged.MergeUpdatePath(sender, path);
        var recipient = members.Keys.First(m => m != sender);
        var wrong = new GroupContext(Suite.Id, groupId, context(merged.TreeHash()).Epoch + 1, merged.TreeHash(), [], []);
        Assert.Throws<MlsCryptoException>(() => members[recipient].Private.Decrypt(merged, sender, path, new HashSet<LeafIndex>(), wrong));

        foreach (var (state, _) in members.Values)
        {
            state.Dispose();
        }
    }

    [Fact]
    public async Task A_member_added_in_the_same_commit_gets_no_ciphertext_and_the_others_still_derive_the_commit_secret()
    {
        using var vault = new SoftwareVault();
        var (tree, members, groupId, context, _) = LargestCase(vault);
        var committer = members.Keys.First();
        var provisional = tree.Clone();
        var template = tree.Leaf(committer)!;
        var joinerKey = vault.GetPublicKey(await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral));
        var joiner = provisional.AddLeaf(new LeafNode(
            joinerKey, new byte[32], template.Credential, template.Capabilities, LeafNodeSource.KeyPackage, new Lifetime(0, ulong.MaxValue), ReadOnlyMemory<byte>.Empty, [], new byte[64]));
        var joiners = new HashSet<LeafIndex> { joiner };
        var before = provisional.Clone();

        var (path, mine) = await TreeKem.CreateUpdatePathAsync(vault, Suite, provisional, committer, members[committer].SignatureKey, groupId, joiners, context);
        using (mine)
        {
            var filtered = before.FilteredDirectPath(committer);
            var sealedTo = filtered.Select((f, i) => (Expected: before.Resolution(f.CopathChild, joiners).Count, Actual: path.Nodes[i].EncryptedPathSecret.Count)).ToList();
            Assert.All(sealedTo, s => Assert.Equal(s.Expected, s.Actual));
            Assert.Contains(filtered, f => before.Resolution(f.CopathChild).Contains(joiner.Node));

            var merged = before.Clone();
            merged.MergeUpdatePath(committer, path);
            Assert.Equal(provisional.TreeHash(), merged.TreeHash());
            foreach (var (index, (state, _)) in members.Where(m => m.Key != committer))
            {
                using var update = state.Decrypt(merged, committer, path, joiners, context(merged.TreeHash()));
                Assert.Equal(vault.ExportSecret(mine.CommitSecret), vault.ExportSecret(update.CommitSecret));
            }
        }

        foreach (var (state, _) in members.Values)
        {
            state.Dispose();
        }
    }

    // The case with the most members, its private states, and its first update path.
    private static (PublicTree Tree, Dictionary<LeafIndex, (TreeKemPrivate Private, KeyHandle SignatureKey)> Members, byte[] GroupId, Func<byte[], GroupContext> Context, JsonElement Entry) LargestCase(SoftwareVault vault)
    {
        using var document = TestVectors.Load("mls/treekem.json");
        var vector = document.RootElement.EnumerateArray()
            .Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id)
            .MaxBy(v => v.GetProperty("leaves_private").GetArrayLength());
        var groupId = vector.Hex("group_id");
        var epoch = vector.GetProperty("epoch").GetUInt64();
        var confirmed = vector.Hex("confirmed_transcript_hash");
        var tree = PublicTree.FromRatchetTree(Suite, RatchetTree.Decode(vector.Hex("ratchet_tree")));
        var members = LoadMembers(vault, vector, tree);
        return (tree, members, groupId, treeHash => new GroupContext(Suite.Id, groupId, epoch, treeHash, confirmed, []), vector.GetProperty("update_paths")[0].Clone());
    }

    // Each leaves_private entry as a private state checked against the tree, with its signature key.
    private static Dictionary<LeafIndex, (TreeKemPrivate Private, KeyHandle SignatureKey)> LoadMembers(SoftwareVault vault, JsonElement vector, PublicTree tree)
    {
        var members = new Dictionary<LeafIndex, (TreeKemPrivate Private, KeyHandle SignatureKey)>();
        foreach (var leaf in vector.GetProperty("leaves_private").EnumerateArray())
        {
            var index = new LeafIndex(leaf.GetProperty("index").GetUInt32());
            var state = new TreeKemPrivate(vault, Suite, index, vault.ImportEphemeralKey(KeyType.X25519, leaf.Hex("encryption_priv")));
            foreach (var secret in leaf.GetProperty("path_secrets").EnumerateArray())
            {
                state.SetPathSecret(new NodeIndex(secret.GetProperty("node").GetUInt32()), vault.ImportEphemeralKey(KeyType.Secret, secret.Hex("path_secret")));
            }

            state.CheckAgainst(tree);
            members[index] = (state, vault.ImportEphemeralKey(KeyType.Ed25519, leaf.Hex("signature_priv")));
        }

        return members;
    }

    // The tree with path merged, after the checks a recipient makes: the new leaf's signature, then the parent hashes.
    private static PublicTree Merge(IVault vault, PublicTree tree, byte[] groupId, LeafIndex sender, UpdatePath path)
    {
        var merged = tree.Clone();
        merged.VerifyLeafNode(vault, groupId, sender, path.LeafNode);
        merged.MergeUpdatePath(sender, path);
        merged.VerifyParentHashes();
        return merged;
    }
}
