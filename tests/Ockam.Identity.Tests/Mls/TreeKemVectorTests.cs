using System.Text.Json;
using Ockam.Identity.Mls;
using Ockam.Identity.Tests.Support;
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
            GroupContext Context(byte[] treeHash) => new(Suite, groupId, epoch, treeHash, confirmed, []);

            var tree = PublicTree.FromRatchetTree(Suite, RatchetTree.Decode(vector.Hex("ratchet_tree")));
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
