using System.Security.Cryptography;
using Ockam.Identity.Encoding;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// A member's group state as bytes for disk (<see cref="MlsGroup.Save"/>, <see cref="MlsGroup.Restore(MlsGroupServices, KeyHandle, KeyHandle, ReadOnlySpan{byte})"/>), so that a
/// member survives its process: every CLI command is a process of its own. The layout, in the MLS codec:
/// <code>
/// uint16 version = 1; uint8 removed; opaque group_id&lt;V&gt;; uint64 epoch;        -- a removed member: nothing more
/// opaque snapshot_id[16]; GroupContext; optional&lt;Node&gt; ratchet_tree&lt;V&gt;; opaque interim_transcript_hash&lt;V&gt;;
/// uint32 own_leaf; uint32 secret_tree_leaves; CachedProposal proposals&lt;V&gt;;       -- the public part, hashed
/// wrapped sender_data_secret, exporter_secret, external_secret, confirmation_key, membership_key,
///         epoch_authenticator, init_secret;
/// { uint64 epoch; wrapped psk; } resumption_psks&lt;V&gt;;
/// wrapped leaf_key; { uint32 node; wrapped key; } node_keys&lt;V&gt;;
/// { uint32 node; wrapped secret; } tree_node_secrets&lt;V&gt;;
/// { uint32 leaf; Ratchet handshake; Ratchet application; } ratchets&lt;V&gt;;
/// Ratchet = { uint32 generation; wrapped secret; { uint32 generation; opaque nonce&lt;V&gt;; wrapped key; } skipped&lt;V&gt;; }
/// </code>
/// where <c>wrapped</c> is an <c>opaque&lt;V&gt;</c> made by <see cref="IVault.WrapKey"/>. Each secret's associated data
/// is <c>"ockam mls state 1" ‖ group_id ‖ epoch ‖ SHA-256(public part) ‖ slot</c>, the slot naming what the secret is
/// (which epoch secret; which node, leaf, ratchet and generation; a skipped key's nonce). So a wrapped secret opens
/// only in the snapshot it was saved in — not another group's, epoch's or save's (the snapshot id differs each time)
/// — and only in its own place; and since the public part is hashed into every secret's associated data, no byte of
/// the snapshot can change without the restore failing.
/// <para>
/// Split in two (<see cref="MlsGroup.SaveEpoch"/>, <see cref="MlsGroup.SaveProgress"/>), for a member that saves after
/// every message it reads: the epoch's state as above with both secret-tree vectors empty, written once per epoch, and
/// the secret tree alone, a <i>progress</i> record, written per message — its size follows the node secrets and
/// ratchets held (a path's worth and the leaves that sent), not the group's. The progress record,
/// <code>
/// uint16 version = 1; opaque group_id&lt;V&gt;; uint64 epoch; opaque epoch_state_hash&lt;V&gt;; opaque progress_id[16];
/// tree_node_secrets; ratchets;                                                      -- as above
/// </code>
/// binds each of its secrets to <c>"ockam mls progress 1" ‖ group_id ‖ epoch ‖ (epoch_state_hash ‖ progress_id) ‖ slot</c>:
/// it restores only with the epoch state whose SHA-256 it names, and secrets of two records never mix. The epoch state
/// holds no secret of the secret tree, so no key a later record shows consumed stays readable on disk.
/// </para>
/// <para>
/// Not saved: a pending commit (<see cref="MlsGroup.Save"/> refuses while one is pending — the client merges or
/// discards it first), the epoch's joiner, welcome and encryption secrets (used up once the epoch began; the secret
/// tree holds what is left of the last), and the previous epochs' secrets (the group keeps none).
/// </para>
/// <para>
/// What a snapshot cannot tell is whether it is the latest: an older one, put back by someone who can write the
/// disk, restores as well. The client writes it atomically under the node home's lock; detecting a rollback would
/// take a counter kept elsewhere.
/// </para>
/// </summary>
internal static class MlsGroupSnapshot
{
    public const ushort Version = 1;

    private const int SnapshotIdSize = 16;

    /// <summary>A wrapped secret: the largest key the group holds (a 32-byte secret) and the wrapping's overhead, with room to spare.</summary>
    private const int MaxWrappedBytes = 256;

    /// <summary>
    /// The secret tree's state: a ratchet per leaf and up to <see cref="HashRatchet.MaxSkippedKeys"/> kept keys in each
    /// of a leaf's two ratchets. 64 MiB holds a group of 10 000 members that all sent, with hundreds of kept keys each.
    /// </summary>
    private const int MaxSecretTreeBytes = 64 * 1024 * 1024;

    private const ushort ProgressVersion = 1;

    private static ReadOnlySpan<byte> Label => "ockam mls state 1"u8;

    private static ReadOnlySpan<byte> ProgressLabel => "ockam mls progress 1"u8;

    /// <summary>What a wrapped secret is, bound into its associated data.</summary>
    private enum Slot : byte
    {
        SenderDataSecret = 1,
        ExporterSecret,
        ExternalSecret,
        ConfirmationKey,
        MembershipKey,
        EpochAuthenticator,
        InitSecret,
        ResumptionPsk,
        LeafKey,
        NodeKey,
        TreeNodeSecret,
        HandshakeRatchetSecret,
        ApplicationRatchetSecret,
        HandshakeSkippedKey,
        ApplicationSkippedKey,
    }

    /// <summary>
    /// The state of a member in <paramref name="epoch"/>, every secret wrapped under <paramref name="wrappingKey"/>; with
    /// the secret tree, or (<paramref name="withSecretTree"/> false) without it, for <see cref="SaveProgress"/> to hold.
    /// </summary>
    public static byte[] Save(IVault vault, KeyHandle wrappingKey, GroupEpoch epoch, TreeKemPrivate privateTree, ResumptionPskHistory resumptionPsks, bool withSecretTree)
    {
        var context = epoch.Context;
        var writer = new MlsWriter(4096);
        WriteHeader(writer, removed: false, context.GroupId, context.Epoch);
        writer.WriteFixed(RandomNumberGenerator.GetBytes(SnapshotIdSize));
        context.Write(writer);
        epoch.Tree.ToRatchetTree().Write(writer);
        writer.WriteVector(epoch.InterimTranscriptHash);
        writer.WriteVector(epoch.ConfirmationTag);
        writer.WriteUInt32(privateTree.Leaf.Value);
        writer.WriteUInt32(epoch.SecretTree.LeafCount);
        writer.WriteVector(epoch.Proposals, static (w, p) =>
        {
            w.WriteVector(p.Ref);
            p.Proposal.Write(w);
            w.WriteUInt32(p.Proposer.Value);
        });

        var binding = new Binding(Label, context.GroupId.ToArray(), context.Epoch, SHA256.HashData(writer.Written));
        void Wrap(MlsWriter w, KeyHandle key, Slot slot, ulong index = 0, uint generation = 0, ReadOnlySpan<byte> nonce = default) =>
            w.WriteVector(vault.WrapKey(wrappingKey, key, binding.AssociatedData(slot, index, generation, nonce)));

        var secrets = epoch.Secrets;
        Wrap(writer, secrets.SenderDataSecret, Slot.SenderDataSecret);
        Wrap(writer, secrets.ExporterSecret, Slot.ExporterSecret);
        Wrap(writer, secrets.ExternalSecret, Slot.ExternalSecret);
        Wrap(writer, secrets.ConfirmationKey, Slot.ConfirmationKey);
        Wrap(writer, secrets.MembershipKey, Slot.MembershipKey);
        Wrap(writer, secrets.EpochAuthenticator, Slot.EpochAuthenticator);
        Wrap(writer, secrets.InitSecret, Slot.InitSecret);
        writer.WriteVector(resumptionPsks.Entries, (w, e) =>
        {
            w.WriteUInt64(e.Epoch);
            Wrap(w, e.Psk, Slot.ResumptionPsk, e.Epoch);
        });

        Wrap(writer, privateTree.LeafKey, Slot.LeafKey);
        writer.WriteVector(privateTree.NodeKeys, (w, n) =>
        {
            w.WriteUInt32(n.Node.Value);
            Wrap(w, n.Key, Slot.NodeKey, n.Node.Value);
        });

        if (withSecretTree)
        {
            WriteSecretTree(writer, vault, wrappingKey, binding, epoch.SecretTree);
        }
        else
        {
            writer.WriteVector([]);
            writer.WriteVector([]);
        }

        return writer.ToArray();
    }

    /// <summary>
    /// The secret tree of <paramref name="epoch"/> as a progress record over the epoch state of SHA-256
    /// <paramref name="epochStateHash"/> (made by <see cref="Save"/> without the secret tree), its secrets wrapped
    /// under <paramref name="wrappingKey"/>.
    /// </summary>
    public static byte[] SaveProgress(IVault vault, KeyHandle wrappingKey, GroupEpoch epoch, ReadOnlySpan<byte> epochStateHash)
    {
        var context = epoch.Context;
        var progressId = RandomNumberGenerator.GetBytes(SnapshotIdSize);
        var writer = new MlsWriter(1024);
        writer.WriteUInt16(ProgressVersion);
        writer.WriteVector(context.GroupId);
        writer.WriteUInt64(context.Epoch);
        writer.WriteVector(epochStateHash);
        writer.WriteFixed(progressId);
        WriteSecretTree(writer, vault, wrappingKey, new Binding(ProgressLabel, context.GroupId.ToArray(), context.Epoch, [.. epochStateHash, .. progressId]), epoch.SecretTree);
        return writer.ToArray();
    }

    private static void WriteSecretTree(MlsWriter writer, IVault vault, KeyHandle wrappingKey, Binding binding, SecretTree secretTree)
    {
        void Wrap(MlsWriter w, KeyHandle key, Slot slot, ulong index = 0, uint generation = 0, ReadOnlySpan<byte> nonce = default) =>
            w.WriteVector(vault.WrapKey(wrappingKey, key, binding.AssociatedData(slot, index, generation, nonce)));

        writer.WriteVector(secretTree.NodeSecrets, (w, n) =>
        {
            w.WriteUInt32(n.Node.Value);
            Wrap(w, n.Secret, Slot.TreeNodeSecret, n.Node.Value);
        });

        void WriteRatchet(MlsWriter w, LeafIndex leaf, HashRatchet ratchet, Slot secretSlot, Slot skippedSlot)
        {
            w.WriteUInt32(ratchet.Generation);
            Wrap(w, ratchet.Secret, secretSlot, leaf.Value, ratchet.Generation);
            w.WriteVector(ratchet.Skipped, (w2, k) =>
            {
                w2.WriteUInt32(k.Generation);
                w2.WriteVector(k.Nonce.Span);
                Wrap(w2, k.Key, skippedSlot, leaf.Value, k.Generation, k.Nonce.Span);
            });
        }

        writer.WriteVector(secretTree.Ratchets, (w, r) =>
        {
            w.WriteUInt32(r.Leaf.Value);
            WriteRatchet(w, r.Leaf, r.Handshake, Slot.HandshakeRatchetSecret, Slot.HandshakeSkippedKey);
            WriteRatchet(w, r.Leaf, r.Application, Slot.ApplicationRatchetSecret, Slot.ApplicationSkippedKey);
        });
    }

    /// <summary>The state of a member removed from the group: only that it was, of which group and at which epoch.</summary>
    public static byte[] SaveRemoved(ReadOnlySpan<byte> groupId, ulong epoch)
    {
        var writer = new MlsWriter();
        WriteHeader(writer, removed: true, groupId, epoch);
        return writer.ToArray();
    }

    /// <summary>
    /// Restores what <see cref="Save"/> wrote — with its secret tree, or, without, together with the
    /// <paramref name="progress"/> record (<see cref="SaveProgress"/>) made over it: decodes and checks the whole of it
    /// first, then unwraps every secret; if anything fails, the vault is left as it was.
    /// </summary>
    /// <exception cref="MlsGroupException"><see cref="MlsGroupError.InvalidState"/> for a snapshot or progress record that is malformed, of another version, altered, made over another epoch state, or wrapped under another key; <see cref="MlsGroupError.Removed"/> for the state of a removed member.</exception>
    public static Restored Restore(MlsGroupServices services, KeyHandle wrappingKey, KeyHandle signatureKey, ReadOnlySpan<byte> saved, ReadOnlySpan<byte> progress)
    {
        var vault = services.Vault;
        Parsed parsed;
        CipherSuite suite;
        PublicTree tree;
        Binding? treeBinding = null;
        try
        {
            parsed = Parse(saved);
            if (!progress.IsEmpty)
            {
                treeBinding = ApplyProgress(parsed, SHA256.HashData(saved), progress);
            }

            suite = CipherSuite.FromId(parsed.Context.CipherSuite);
            tree = PublicTree.FromRatchetTree(suite, parsed.Tree);
            Check(vault, suite, tree, parsed, signatureKey);
        }
        catch (OckamDecodeException e)
        {
            throw Invalid($"it is malformed: {e.Message}", e);
        }
        catch (MlsCryptoException e)
        {
            throw Invalid(e.Message, e);
        }

        // Every handle unwrapped so far, deleted again if a later secret does not unwrap: a refused snapshot leaves
        // the vault as it was.
        var unwrapped = new List<KeyHandle>();
        var binding = new Binding(Label, parsed.Context.GroupId.ToArray(), parsed.Context.Epoch, parsed.Digest);
        treeBinding ??= binding;
        KeyHandle Unwrap(byte[] wrapped, KeyType expected, Slot slot, ulong index = 0, uint generation = 0, ReadOnlySpan<byte> nonce = default)
        {
            // The secret tree's secrets are bound to the record they come from: the snapshot, or the progress record.
            var from = slot is Slot.TreeNodeSecret or >= Slot.HandshakeRatchetSecret ? treeBinding : binding;
            var key = vault.UnwrapKey(wrappingKey, wrapped, from.AssociatedData(slot, index, generation, nonce));
            unwrapped.Add(key);
            return key.Type == expected ? key : throw new VaultException($"the {slot} is a {key.Type} key, not a {expected} key");
        }

        HashRatchet RatchetOf(uint leaf, ParsedRatchet ratchet, Slot secretSlot, Slot skippedSlot) =>
            new(
                vault,
                suite,
                Unwrap(ratchet.Secret, KeyType.Secret, secretSlot, leaf, ratchet.Generation),
                ratchet.Generation,
                [.. ratchet.Skipped.Select(k => new KeyAndNonce(Unwrap(k.Key, suite.AeadKeySpec.Type, skippedSlot, leaf, k.Generation, k.Nonce), k.Nonce, k.Generation))]);

        EpochSecrets? secrets = null;
        TreeKemPrivate privateTree;
        SecretTree secretTree;
        List<(ulong Epoch, KeyHandle Psk)> psks;
        try
        {
            var e = parsed.EpochSecrets;
            secrets = EpochSecrets.Restore(
                vault,
                suite,
                Unwrap(e[0], KeyType.Secret, Slot.SenderDataSecret),
                Unwrap(e[1], KeyType.Secret, Slot.ExporterSecret),
                Unwrap(e[2], KeyType.Secret, Slot.ExternalSecret),
                Unwrap(e[3], KeyType.Secret, Slot.ConfirmationKey),
                Unwrap(e[4], KeyType.Secret, Slot.MembershipKey),
                Unwrap(e[5], KeyType.Secret, Slot.EpochAuthenticator),
                Unwrap(e[6], KeyType.Secret, Slot.InitSecret));
            psks = [.. parsed.ResumptionPsks.Select(p => (p.Epoch, Unwrap(p.Wrapped, KeyType.Secret, Slot.ResumptionPsk, p.Epoch)))];
            privateTree = new TreeKemPrivate(
                vault,
                suite,
                new LeafIndex(parsed.OwnLeaf),
                Unwrap(parsed.LeafKey, KeyType.X25519, Slot.LeafKey),
                [.. parsed.NodeKeys.Select(n => (new NodeIndex(n.Node), Unwrap(n.Wrapped, KeyType.X25519, Slot.NodeKey, n.Node)))]);
            secretTree = SecretTree.Restore(
                vault,
                suite,
                parsed.SecretTreeLeaves,
                [.. parsed.TreeNodeSecrets.Select(n => (new NodeIndex(n.Node), Unwrap(n.Wrapped, KeyType.Secret, Slot.TreeNodeSecret, n.Node)))],
                [.. parsed.Ratchets.Select(r => (
                    new LeafIndex(r.Leaf),
                    RatchetOf(r.Leaf, r.Handshake, Slot.HandshakeRatchetSecret, Slot.HandshakeSkippedKey),
                    RatchetOf(r.Leaf, r.Application, Slot.ApplicationRatchetSecret, Slot.ApplicationSkippedKey)))]);
            privateTree.CheckAgainst(tree);
        }
        catch (Exception ex) when (ex is VaultException or MlsCryptoException)
        {
            // external_pub's key pair, derived by EpochSecrets, is not among the unwrapped handles.
            secrets?.Dispose();
            foreach (var key in unwrapped.Where(vault.Contains))
            {
                vault.DeleteEphemeralKey(key);
            }

            throw Invalid(ex is VaultException ? "a secret does not unwrap: the snapshot was altered, or saved under another wrapping key" : ex.Message, ex);
        }

        var epoch = new GroupEpoch(services, parsed.Context, tree, secrets!, parsed.InterimTranscriptHash, parsed.ConfirmationTag, secretTree);
        foreach (var (proposalRef, proposal, proposer) in parsed.Proposals)
        {
            epoch.CacheProposal(proposalRef, proposal, new LeafIndex(proposer));
        }

        var history = new ResumptionPskHistory(vault);
        foreach (var (pskEpoch, psk) in psks)
        {
            history.Add(pskEpoch, psk);
        }

        return new Restored(suite, epoch, privateTree, history);
    }

    /// <summary>
    /// Puts the secret tree of <paramref name="progress"/> in place of <paramref name="parsed"/>'s (which must hold
    /// none), once the record is seen to be made over this very epoch state; returns what its secrets are bound to.
    /// </summary>
    private static Binding ApplyProgress(Parsed parsed, byte[] epochStateHash, ReadOnlySpan<byte> progress)
    {
        if (parsed.TreeNodeSecrets.Count != 0 || parsed.Ratchets.Count != 0)
        {
            throw Invalid("it holds a secret tree of its own, and a progress record was given too");
        }

        var reader = new MlsReader(progress);
        var version = reader.ReadUInt16();
        if (version != ProgressVersion)
        {
            throw Invalid($"its progress record is of version {version}, not {ProgressVersion}");
        }

        var groupId = reader.ReadVectorBytes(MlsLimits.MaxIdentifierBytes);
        var epoch = reader.ReadUInt64();
        var madeOver = reader.ReadVectorBytes(SHA256.HashSizeInBytes);
        if (!groupId.AsSpan().SequenceEqual(parsed.Context.GroupId) || epoch != parsed.Context.Epoch || !madeOver.AsSpan().SequenceEqual(epochStateHash))
        {
            throw Invalid("its progress record was made over another epoch state");
        }

        var progressId = reader.ReadFixed(SnapshotIdSize).ToArray();
        parsed.TreeNodeSecrets = ReadNodeSecrets(ref reader);
        parsed.Ratchets = ReadRatchets(ref reader);
        reader.EnsureAtEnd();
        return new Binding(ProgressLabel, groupId, epoch, [.. madeOver, .. progressId]);
    }

    private static void WriteHeader(MlsWriter writer, bool removed, ReadOnlySpan<byte> groupId, ulong epoch)
    {
        writer.WriteUInt16(Version);
        writer.WriteUInt8(removed ? (byte)1 : (byte)0);
        writer.WriteVector(groupId);
        writer.WriteUInt64(epoch);
    }

    private static Parsed Parse(ReadOnlySpan<byte> saved)
    {
        var reader = new MlsReader(saved);
        var version = reader.ReadUInt16();
        if (version != Version)
        {
            throw Invalid($"it is of version {version}, not {Version}");
        }

        var removed = reader.ReadPresence();
        var groupId = reader.ReadVectorBytes(MlsLimits.MaxIdentifierBytes);
        var epoch = reader.ReadUInt64();
        if (removed)
        {
            reader.EnsureAtEnd();
            throw new MlsGroupException(MlsGroupError.Removed, $"the member was removed from the group at epoch {epoch}");
        }

        reader.ReadFixed(SnapshotIdSize);
        var context = GroupContext.Read(ref reader);
        if (!context.GroupId.SequenceEqual(groupId) || context.Epoch != epoch)
        {
            throw Invalid("its header names another group or epoch than its GroupContext");
        }

        var tree = RatchetTree.Read(ref reader);
        var interim = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var confirmationTag = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var ownLeaf = reader.ReadUInt32();
        var secretTreeLeaves = reader.ReadUInt32();
        var proposals = reader.ReadVector(MlsLimits.MaxTreeBytes, static (ref MlsReader r) =>
            (Ref: r.ReadVectorBytes(MlsLimits.MaxKeyBytes), Proposal: Proposal.Read(ref r), Proposer: r.ReadUInt32()));
        var digest = SHA256.HashData(saved[..reader.Position]);

        var epochSecrets = new byte[7][];
        for (var i = 0; i < epochSecrets.Length; i++)
        {
            epochSecrets[i] = ReadWrapped(ref reader);
        }

        var psks = reader.ReadVector(MlsLimits.MaxKeyBytes * ResumptionPskHistory.Capacity, static (ref MlsReader r) => (Epoch: r.ReadUInt64(), Wrapped: ReadWrapped(ref r)));
        var leafKey = ReadWrapped(ref reader);
        var nodeKeys = reader.ReadVector(MlsLimits.MaxTreeBytes, static (ref MlsReader r) => (Node: r.ReadUInt32(), Wrapped: ReadWrapped(ref r)));
        var nodeSecrets = ReadNodeSecrets(ref reader);
        var ratchets = ReadRatchets(ref reader);
        reader.EnsureAtEnd();
        return new Parsed
        {
            Context = context,
            Tree = tree,
            InterimTranscriptHash = interim,
            ConfirmationTag = confirmationTag,
            OwnLeaf = ownLeaf,
            SecretTreeLeaves = secretTreeLeaves,
            Proposals = proposals,
            Digest = digest,
            EpochSecrets = epochSecrets,
            ResumptionPsks = psks,
            LeafKey = leafKey,
            NodeKeys = nodeKeys,
            TreeNodeSecrets = nodeSecrets,
            Ratchets = ratchets,
        };
    }

    private static byte[] ReadWrapped(ref MlsReader reader) => reader.ReadVectorBytes(MaxWrappedBytes);

    private static List<(uint Node, byte[] Wrapped)> ReadNodeSecrets(ref MlsReader reader) =>
        reader.ReadVector(MlsLimits.MaxTreeBytes, static (ref MlsReader r) => (Node: r.ReadUInt32(), Wrapped: ReadWrapped(ref r)));

    private static List<(uint Leaf, ParsedRatchet Handshake, ParsedRatchet Application)> ReadRatchets(ref MlsReader reader) =>
        reader.ReadVector(MaxSecretTreeBytes, static (ref MlsReader r) => (Leaf: r.ReadUInt32(), Handshake: ReadRatchet(ref r), Application: ReadRatchet(ref r)));

    private static ParsedRatchet ReadRatchet(ref MlsReader reader)
    {
        var generation = reader.ReadUInt32();
        var secret = ReadWrapped(ref reader);
        var skipped = reader.ReadVector(MaxSecretTreeBytes, static (ref MlsReader r) =>
            (Generation: r.ReadUInt32(), Nonce: r.ReadVectorBytes(MlsLimits.MaxKeyBytes), Key: ReadWrapped(ref r)));
        return new ParsedRatchet(generation, secret, skipped);
    }

    // The structure must be a member's state before a single secret is unwrapped: the tree its GroupContext's, our
    // leaf ours, every index inside the tree, the secret tree's shape whole, the ratchets' kept keys within bounds.
    private static void Check(IVault vault, CipherSuite suite, PublicTree tree, Parsed parsed, KeyHandle signatureKey)
    {
        if (!tree.TreeHash().AsSpan().SequenceEqual(parsed.Context.TreeHash))
        {
            throw Invalid("its ratchet tree's hash is not its GroupContext's tree_hash");
        }

        if (parsed.OwnLeaf >= tree.LeafCount || tree.Leaf(new LeafIndex(parsed.OwnLeaf)) is not { } ownLeaf)
        {
            throw Invalid($"its own leaf, {parsed.OwnLeaf}, holds no member");
        }

        if (!ownLeaf.SignatureKey.Span.SequenceEqual(vault.GetPublicKey(signatureKey)))
        {
            throw Invalid("its own leaf's signature key is not the one given");
        }

        if (parsed.SecretTreeLeaves != tree.LeafCount)
        {
            throw Invalid($"its secret tree has {parsed.SecretTreeLeaves} leaves, its ratchet tree {tree.LeafCount}");
        }

        if (parsed.Proposals.Any(p => p.Proposer >= tree.LeafCount))
        {
            throw Invalid("a cached proposal's proposer is outside the tree");
        }

        var width = TreeMath.NodeWidth(tree.LeafCount);
        if (parsed.NodeKeys.Any(n => n.Node >= width || new NodeIndex(n.Node).IsLeaf) || parsed.NodeKeys.DistinctBy(n => n.Node).Count() != parsed.NodeKeys.Count)
        {
            throw Invalid("a node key is for a leaf, outside the tree, or repeated");
        }

        if (parsed.ResumptionPsks.Count > ResumptionPskHistory.Capacity
            || parsed.ResumptionPsks.DistinctBy(p => p.Epoch).Count() != parsed.ResumptionPsks.Count
            || parsed.ResumptionPsks.Any(p => p.Epoch > parsed.Context.Epoch))
        {
            throw Invalid("its resumption PSKs are too many, repeated, or of a later epoch");
        }

        if (SecretTree.CheckShape(tree.LeafCount, [.. parsed.TreeNodeSecrets.Select(n => new NodeIndex(n.Node))], [.. parsed.Ratchets.Select(r => new LeafIndex(r.Leaf))]) is { } shape)
        {
            throw Invalid($"its secret tree is not whole: {shape}");
        }

        foreach (var ratchet in parsed.Ratchets.SelectMany(r => new[] { r.Handshake, r.Application }))
        {
            if (ratchet.Skipped.Count > HashRatchet.MaxSkippedKeys
                || ratchet.Skipped.Any(k => k.Generation >= ratchet.Generation || k.Nonce.Length != suite.Nn)
                || ratchet.Skipped.DistinctBy(k => k.Generation).Count() != ratchet.Skipped.Count)
            {
                throw Invalid("a ratchet's kept keys are too many, repeated, not behind it, or have nonces of the wrong size");
            }
        }
    }

    private static MlsGroupException Invalid(string why, Exception? inner = null) =>
        new(MlsGroupError.InvalidState, $"the saved group state is refused: {why}", inner);

    /// <summary>The group, epoch and public part every wrapped secret of one snapshot is bound to.</summary>
    private sealed class Binding(ReadOnlySpan<byte> label, byte[] groupId, ulong epoch, byte[] publicDigest)
    {
        private readonly byte[] label = label.ToArray();

        public byte[] AssociatedData(Slot slot, ulong index, uint generation, ReadOnlySpan<byte> nonce)
        {
            var writer = new MlsWriter(128);
            writer.WriteVector(label);
            writer.WriteVector(groupId);
            writer.WriteUInt64(epoch);
            writer.WriteVector(publicDigest);
            writer.WriteUInt8((byte)slot);
            writer.WriteUInt64(index);
            writer.WriteUInt32(generation);
            writer.WriteVector(nonce);
            return writer.ToArray();
        }
    }

    // Plain holders of what was read, never compared: classes, not records, as they hold byte arrays.
    private sealed class ParsedRatchet(uint generation, byte[] secret, List<(uint Generation, byte[] Nonce, byte[] Key)> skipped)
    {
        public uint Generation { get; } = generation;

        public byte[] Secret { get; } = secret;

        public List<(uint Generation, byte[] Nonce, byte[] Key)> Skipped { get; } = skipped;
    }

    private sealed class Parsed
    {
        public required GroupContext Context { get; init; }

        public required RatchetTree Tree { get; init; }

        public required byte[] InterimTranscriptHash { get; init; }

        public required byte[] ConfirmationTag { get; init; }

        public required uint OwnLeaf { get; init; }

        public required uint SecretTreeLeaves { get; init; }

        public required List<(byte[] Ref, Proposal Proposal, uint Proposer)> Proposals { get; init; }

        /// <summary>SHA-256 of the header and public part, as read.</summary>
        public required byte[] Digest { get; init; }

        public required byte[][] EpochSecrets { get; init; }

        public required List<(ulong Epoch, byte[] Wrapped)> ResumptionPsks { get; init; }

        public required byte[] LeafKey { get; init; }

        public required List<(uint Node, byte[] Wrapped)> NodeKeys { get; init; }

        /// <summary>The snapshot's, or those of the progress record given with it.</summary>
        public required List<(uint Node, byte[] Wrapped)> TreeNodeSecrets { get; set; }

        public required List<(uint Leaf, ParsedRatchet Handshake, ParsedRatchet Application)> Ratchets { get; set; }
    }

    /// <summary>A member's state as restored: the group takes ownership of all of it.</summary>
    public sealed class Restored(CipherSuite suite, GroupEpoch epoch, TreeKemPrivate privateTree, ResumptionPskHistory resumptionPsks)
    {
        public CipherSuite Suite { get; } = suite;

        public GroupEpoch Epoch { get; } = epoch;

        public TreeKemPrivate PrivateTree { get; } = privateTree;

        public ResumptionPskHistory ResumptionPsks { get; } = resumptionPsks;
    }
}
