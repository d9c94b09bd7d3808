using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// One member's state in an MLS group (RFC 9420 §8, §11, §12): the current <see cref="GroupEpoch"/> (GroupContext,
/// public ratchet tree, epoch secrets, secret tree, interim transcript hash, the proposals received in the epoch),
/// the member's own leaf and the private keys it holds in the tree, the resumption PSKs of recent epochs, and at
/// most one commit of its own waiting for the Delivery Service's answer.
/// <para>
/// Every operation validates first and changes state last: a commit is applied to a clone of the tree and a new
/// epoch is built aside, swapped in only once everything — proposals, path, PSKs, confirmation tag — checked out.
/// A message or commit that fails leaves the group exactly as it was, but for two things of the secret tree: a
/// PrivateMessage commit that decrypts and verifies but then fails validation has used up its handshake generation,
/// as any read message does; and a sender's ratchets, derived on its first message of the epoch, stay derived.
/// </para>
/// </summary>
internal sealed class MlsGroup : IDisposable
{
    private const string JoinerLabel = "joiner";
    private const string FramedContentSignatureLabel = "FramedContentTBS";

    private readonly MlsGroupServices services;
    private readonly IVault vault;
    private readonly CipherSuite suite;
    private readonly KeyHandle signatureKey;
    private readonly TreeKemPrivate privateTree;
    private readonly ResumptionPskHistory resumptionPsks;
    private GroupEpoch epoch;
    private PendingCommit? pending;

    /// <summary>
    /// What the last <see cref="SaveEpoch"/> (or the restore) saw: the epoch, how many proposals it held, and the
    /// SHA-256 of the state written. A progress record fits only while none of the first two changed.
    /// </summary>
    private (GroupEpoch Epoch, int Proposals, byte[] Hash)? savedEpoch;
    private bool removed;
    private bool disposed;

    private MlsGroup(MlsGroupServices services, CipherSuite suite, KeyHandle signatureKey, TreeKemPrivate privateTree, GroupEpoch epoch)
    {
        this.services = services;
        vault = services.Vault;
        this.suite = suite;
        this.signatureKey = signatureKey;
        this.privateTree = privateTree;
        this.epoch = epoch;
        resumptionPsks = new ResumptionPskHistory(vault);
        resumptionPsks.Add(epoch.Context.Epoch, epoch.Secrets.TakeResumptionPsk());
    }

    private MlsGroup(MlsGroupServices services, KeyHandle signatureKey, MlsGroupSnapshot.Restored restored)
    {
        this.services = services;
        vault = services.Vault;
        suite = restored.Suite;
        this.signatureKey = signatureKey;
        privateTree = restored.PrivateTree;
        epoch = restored.Epoch;
        resumptionPsks = restored.ResumptionPsks;
    }

    public ReadOnlySpan<byte> GroupId => epoch.Context.GroupId;

    public ulong Epoch => epoch.Context.Epoch;

    public GroupContext Context => epoch.Context;

    /// <summary>This member's leaf.</summary>
    public LeafIndex OwnLeaf => privateTree.Leaf;

    /// <summary>False once a commit removed this member: it takes part in no later epoch.</summary>
    public bool IsActive => !removed && !disposed;

    /// <summary>The commit this member made and has not yet merged or discarded.</summary>
    public PendingCommit? Pending => pending;

    /// <summary>The members, by leaf.</summary>
    public IEnumerable<(LeafIndex Index, LeafNode Leaf)> Members => epoch.Tree.Members();

    /// <summary>The member at <paramref name="index"/>; null when that leaf is blank or outside the tree.</summary>
    public LeafNode? Member(LeafIndex index) => index.Value < epoch.Tree.LeafCount ? epoch.Tree.Leaf(index) : null;

    /// <summary>
    /// The epoch_authenticator (§8.7), a vault secret the group owns for this epoch: members that compare it out of
    /// band (by a MAC over a challenge, say) know they share the epoch.
    /// </summary>
    public KeyHandle EpochAuthenticator
    {
        get
        {
            RequireActive();
            return epoch.Secrets.EpochAuthenticator;
        }
    }

    /// <summary>
    /// A new group with this client as its only member (§11), epoch 0: its leaf the key package leaf of
    /// <paramref name="own"/> (whose encryption key the group now owns; the unused init key is deleted), a random
    /// init_secret, and <paramref name="extensions"/> in the GroupContext. <paramref name="signatureKey"/> stays the caller's.
    /// </summary>
    /// <exception cref="MlsGroupException">The Authentication Service refuses our own leaf, or it misses the required capabilities.</exception>
    public static async Task<MlsGroup> CreateAsync(
        MlsGroupServices services, ReadOnlyMemory<byte> groupId, KeyPackageBundle own, KeyHandle signatureKey, IReadOnlyList<Extension> extensions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(signatureKey);
        ArgumentNullException.ThrowIfNull(extensions);
        var vault = services.Vault;
        var suite = CipherSuite.FromId(own.KeyPackage.CipherSuite);
        var leaf = own.KeyPackage.LeafNode;
        ProposalList.CheckLeaf(services, ProposalList.ReadRequirement(extensions), leaf, "our own leaf");

        var tree = PublicTree.Create(suite, leaf);
        var context = new GroupContext(suite.Id, groupId.Span, 0, tree.TreeHash(), [], extensions);
        var initSecret = await vault.GenerateKeyAsync(KeyType.Secret, KeyPersistence.Ephemeral, cancellationToken).ConfigureAwait(false);
        var commitSecret = vault.ImportEphemeralKey(KeyType.Secret, new byte[suite.Nh]);
        var pskSecret = PskSecret.Derive(vault, suite, []);
        EpochSecrets secrets;
        try
        {
            secrets = EpochSecrets.Derive(vault, initSecret, commitSecret, pskSecret, context);
        }
        finally
        {
            vault.DeleteEphemeralKey(initSecret);
            vault.DeleteEphemeralKey(commitSecret);
            vault.DeleteEphemeralKey(pskSecret);
        }

        // §8.2: epoch 0 has an empty confirmed transcript hash, and its interim hash chains from the tag over it.
        var tag = ConfirmationTag.Compute(vault, secrets.ConfirmationKey, []);
        var interim = TranscriptHash.Interim(suite, [], tag);
        vault.DeleteEphemeralKey(own.InitKey);
        var privateTree = new TreeKemPrivate(vault, suite, new LeafIndex(0), own.EncryptionKey);
        return new MlsGroup(services, suite, signatureKey, privateTree, new GroupEpoch(services, context, tree, secrets, interim, tag));
    }

    /// <summary>
    /// Joins from a <paramref name="welcome"/> for <paramref name="keyPackage"/> (§12.4.3.1): opens it with the init
    /// key (deleted once the join succeeds, §16.8), takes the ratchet tree from <paramref name="ratchetTree"/> when
    /// given out of band or else from the GroupInfo's ratchet_tree extension, validates it (leaf signatures, key
    /// uniqueness, parent hashes, its tree hash the GroupContext's, every credential by the Authentication Service),
    /// checks the GroupInfo's signature by its signer's leaf and the confirmation tag, takes the path secret the
    /// committer shared, and computes the interim transcript hash. The group owns <paramref name="encryptionKey"/>
    /// (the key package leaf's private key) once the Welcome has opened and its epoch checked out — a join that
    /// fails after that deletes it, one that fails before leaves it to the caller; <paramref name="signatureKey"/>
    /// stays the caller's.
    /// </summary>
    /// <exception cref="WelcomeNotForUsException">The Welcome is not for this key package.</exception>
    /// <exception cref="MlsGroupException">The tree is missing or invalid, a credential refused, a PSK not held, or the confirmation tag does not match.</exception>
    /// <exception cref="MlsCryptoException">The Welcome does not decrypt, or the GroupInfo's signature does not verify.</exception>
    public static MlsGroup Join(
        MlsGroupServices services, Welcome welcome, KeyPackage keyPackage, KeyHandle initKey, KeyHandle encryptionKey, KeyHandle signatureKey, RatchetTree? ratchetTree)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(welcome);
        ArgumentNullException.ThrowIfNull(keyPackage);
        ArgumentNullException.ThrowIfNull(initKey);
        ArgumentNullException.ThrowIfNull(encryptionKey);
        ArgumentNullException.ThrowIfNull(signatureKey);
        var vault = services.Vault;
        var suite = CipherSuite.FromId(keyPackage.CipherSuite);
        TreeKemPrivate? privateTree = null;
        EpochSecrets? secrets = null;
        try
        {
            PublicTree? tree = null;
            using var opened = WelcomeProtocol.Open(vault, welcome, keyPackage, initKey, FindWelcomePsk(services), groupInfo =>
            {
                tree = PublicGroupChecks.ValidatedTree(services, suite, groupInfo, ratchetTree);
                return tree.Leaf(groupInfo.Signer)?.SignatureKey
                    ?? throw new MlsGroupException(MlsGroupError.InvalidTree, $"the GroupInfo's signer, {groupInfo.Signer}, holds no member");
            });
            var groupInfo = opened.GroupInfo;
            var context = groupInfo.GroupContext;
            var own = tree!.Members().Where(m => m.Leaf.EncryptionKey.Span.SequenceEqual(keyPackage.LeafNode.EncryptionKey.Span)
                    && m.Leaf.SignatureKey.Span.SequenceEqual(keyPackage.LeafNode.SignatureKey.Span))
                .Select(m => (LeafIndex?)m.Index).FirstOrDefault()
                ?? throw new MlsGroupException(MlsGroupError.InvalidTree, "the tree does not hold our key package's leaf");

            try
            {
                secrets = opened.EnterEpoch();
            }
            catch (MlsCryptoException e)
            {
                throw new MlsGroupException(MlsGroupError.ForkDetected, "the Welcome's confirmation tag does not match the epoch it leads to", e);
            }

            privateTree = new TreeKemPrivate(vault, suite, own, encryptionKey);
            if (opened.PathSecret is { } pathSecret)
            {
                TakePathSecret(vault, suite, privateTree, tree, groupInfo.Signer, pathSecret);
            }

            try
            {
                privateTree.CheckAgainst(tree);
            }
            catch (MlsCryptoException e)
            {
                throw new MlsGroupException(MlsGroupError.InvalidTree, "the path secret of the Welcome does not give the tree's keys", e);
            }

            var interim = TranscriptHash.Interim(suite, context.ConfirmedTranscriptHash, groupInfo.ConfirmationTag.Span);
            var group = new MlsGroup(services, suite, signatureKey, privateTree, new GroupEpoch(services, context, tree, secrets, interim, groupInfo.ConfirmationTag.ToArray()));
            vault.DeleteEphemeralKey(initKey);
            return group;
        }
        catch
        {
            secrets?.Dispose();
            privateTree?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Restores a member from <paramref name="saved"/>, made by <see cref="Save"/> under <paramref name="wrappingKey"/>:
    /// the group continues exactly where it was saved. <paramref name="signatureKey"/> (the caller's, as for
    /// <see cref="Join"/>) must be the own leaf's. Nothing of the snapshot is used before the whole of it is checked
    /// and every secret unwrapped (<see cref="MlsGroupSnapshot"/>).
    /// </summary>
    /// <exception cref="MlsGroupException"><see cref="MlsGroupError.InvalidState"/>: malformed, of another version, altered, or wrapped under another key; <see cref="MlsGroupError.Removed"/>: the state of a member that was removed.</exception>
    public static MlsGroup Restore(MlsGroupServices services, KeyHandle wrappingKey, KeyHandle signatureKey, ReadOnlySpan<byte> saved)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(wrappingKey);
        ArgumentNullException.ThrowIfNull(signatureKey);
        return new MlsGroup(services, signatureKey, MlsGroupSnapshot.Restore(services, wrappingKey, signatureKey, saved, []));
    }

    /// <summary>
    /// Restores a member from the epoch state <paramref name="epochState"/> (<see cref="SaveEpoch"/>) and the last
    /// <paramref name="progress"/> record made over it (<see cref="SaveProgress"/>), both under
    /// <paramref name="wrappingKey"/>; further progress records can be made over the same epoch state.
    /// </summary>
    /// <exception cref="MlsGroupException"><see cref="MlsGroupError.InvalidState"/>: either is malformed, altered or wrapped under another key, or the record was made over another epoch state; <see cref="MlsGroupError.Removed"/>: the state of a member that was removed.</exception>
    public static MlsGroup Restore(MlsGroupServices services, KeyHandle wrappingKey, KeyHandle signatureKey, ReadOnlySpan<byte> epochState, ReadOnlySpan<byte> progress)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(wrappingKey);
        ArgumentNullException.ThrowIfNull(signatureKey);
        if (progress.IsEmpty)
        {
            throw new MlsGroupException(MlsGroupError.InvalidState, "the saved group state is refused: an epoch state needs the progress record made over it");
        }

        var group = new MlsGroup(services, signatureKey, MlsGroupSnapshot.Restore(services, wrappingKey, signatureKey, epochState, progress));
        group.savedEpoch = (group.epoch, group.epoch.Proposals.Count(), SHA256.HashData(epochState));
        return group;
    }

    /// <summary>
    /// This member's state, every secret wrapped under <paramref name="wrappingKey"/> (an AES-256-GCM key of the vault),
    /// for <see cref="Restore(MlsGroupServices, KeyHandle, KeyHandle, ReadOnlySpan{byte})"/> in a later process. Secrets a member has deleted stay deleted: a message read before
    /// saving is a replay after restoring, and a generation sent before saving is not sent again. A removed member's
    /// state says only that it was removed.
    /// </summary>
    /// <exception cref="InvalidOperationException">A commit of this member is pending: merge or discard it first.</exception>
    public byte[] Save(KeyHandle wrappingKey)
    {
        ArgumentNullException.ThrowIfNull(wrappingKey);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (removed)
        {
            return MlsGroupSnapshot.SaveRemoved(GroupId, Epoch);
        }

        if (pending is not null)
        {
            throw new InvalidOperationException("a commit of this member is pending: merge or discard it before saving");
        }

        return MlsGroupSnapshot.Save(vault, wrappingKey, epoch, privateTree, resumptionPsks, withSecretTree: true);
    }

    /// <summary>
    /// As <see cref="Save"/>, without the secret tree: the part of this member's state that changes only with the epoch
    /// (or a proposal kept), to be written once per epoch; the secret tree goes in the progress records made over it
    /// (<see cref="SaveProgress"/>), the first one before the state is of any use.
    /// </summary>
    /// <exception cref="InvalidOperationException">A commit of this member is pending.</exception>
    /// <exception cref="MlsGroupException"><see cref="MlsGroupError.Removed"/>: it was removed (it has no epoch to save).</exception>
    public byte[] SaveEpoch(KeyHandle wrappingKey)
    {
        ArgumentNullException.ThrowIfNull(wrappingKey);
        RequireSavable();
        var saved = MlsGroupSnapshot.Save(vault, wrappingKey, epoch, privateTree, resumptionPsks, withSecretTree: false);
        savedEpoch = (epoch, epoch.Proposals.Count(), SHA256.HashData(saved));
        return saved;
    }

    /// <summary>
    /// The secret tree — where every ratchet stands, the keys it still holds — as a progress record over the epoch
    /// state of SHA-256 <paramref name="epochStateHash"/>: its size follows the secrets held, not the group's size. Null
    /// when that is not the state this member last saved with <see cref="SaveEpoch"/>, or more than the secret tree
    /// changed since (a new epoch, a proposal kept): then the epoch state is saved first.
    /// </summary>
    /// <exception cref="InvalidOperationException">A commit of this member is pending.</exception>
    /// <exception cref="MlsGroupException"><see cref="MlsGroupError.Removed"/>: it was removed.</exception>
    public byte[]? SaveProgress(KeyHandle wrappingKey, ReadOnlySpan<byte> epochStateHash)
    {
        ArgumentNullException.ThrowIfNull(wrappingKey);
        RequireSavable();
        return savedEpoch is { } saved && saved.Epoch == epoch && saved.Proposals == epoch.Proposals.Count() && saved.Hash.AsSpan().SequenceEqual(epochStateHash)
            ? MlsGroupSnapshot.SaveProgress(vault, wrappingKey, epoch, epochStateHash)
            : null;
    }

    /// <summary>
    /// Takes a proposal of this epoch (PublicMessage or PrivateMessage) from a member, once its membership tag (or
    /// encryption) and signature verify, and keeps it for a commit to cover by reference. Returns its ProposalRef.
    /// The proposal itself is validated when a commit covers it (§12.2).
    /// </summary>
    /// <exception cref="MlsGroupException">Another group or epoch, not from a member, or not a proposal.</exception>
    /// <exception cref="MlsCryptoException">It does not verify or decrypt.</exception>
    public byte[] ProcessProposal(MlsMessage message)
    {
        RequireActive();
        var authenticated = Unprotect(message, ContentType.Proposal);
        var proposalRef = ProposalRef.Compute(suite, authenticated);
        epoch.CacheProposal(proposalRef, authenticated.Content.Proposal!, new LeafIndex(authenticated.Content.Sender.Index));
        return proposalRef;
    }

    /// <summary>
    /// Sends <paramref name="proposal"/> (an Add, Remove, PreSharedKey or GroupContextExtensions) as a PublicMessage of
    /// this epoch for any member to commit, and keeps it like a received one, so that a commit of ours covers it too
    /// and one of another member's that names it can be processed. Returns the message to send.
    /// </summary>
    /// <exception cref="NotSupportedException">An Update (its new leaf key would have to wait for a commit), ReInit or ExternalInit.</exception>
    public MlsMessage Propose(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        RequireActive();
        if (proposal.ProposalType is not (ProposalType.Add or ProposalType.Remove or ProposalType.PreSharedKey or ProposalType.GroupContextExtensions))
        {
            throw new NotSupportedException($"sending a {proposal.ProposalType} proposal is not supported");
        }

        var content = FramedContent.OfProposal(epoch.Context.GroupId.ToArray(), Epoch, Sender.Member(OwnLeaf), ReadOnlyMemory<byte>.Empty, proposal);
        var message = epoch.Protection.ProtectPublic(content, signatureKey, null);
        var authenticated = new AuthenticatedContent(WireFormat.PublicMessage, content, message.Auth);
        epoch.CacheProposal(ProposalRef.Compute(suite, authenticated), proposal, OwnLeaf);
        return MlsMessage.Of(message);
    }

    /// <summary>
    /// Processes another member's commit of this epoch (§12.4.2) and enters the epoch it leads to: unprotects it,
    /// resolves the proposals it names by reference, validates the list (§12.2), applies it to a copy of the tree in
    /// §12.3's order, validates and merges the UpdatePath, decrypts it under the provisional GroupContext, derives the
    /// new epoch with the commit's PSKs, and checks the confirmation tag — then, and only then, replaces the epoch.
    /// A commit that removes this member ends its membership (<see cref="IsActive"/> turns false). A pending commit
    /// of our own for this epoch has lost the race and is discarded.
    /// </summary>
    /// <exception cref="MlsGroupException">The commit is refused; the group is unchanged.</exception>
    /// <exception cref="MlsCryptoException">It does not verify, or its path does not decrypt or fit; the group is unchanged.</exception>
    public void ProcessCommit(MlsMessage message)
    {
        RequireActive();
        var authenticated = Unprotect(message, ContentType.Commit);
        var content = authenticated.Content;
        var committer = new LeafIndex(content.Sender.Index);
        if (committer == OwnLeaf)
        {
            throw new MlsGroupException(MlsGroupError.WrongContent, "a commit of our own takes effect by MergePendingCommit, not by processing it");
        }

        var commit = content.Commit!;
        var list = ProposalList.Validate(services, suite, epoch.Tree, epoch.Context.Extensions, committer, Resolve(commit, committer));
        if (list.PathRequired && commit.Path is null)
        {
            throw new MlsGroupException(MlsGroupError.InvalidPath, "the commit's proposals require an UpdatePath and it has none (§12.4)");
        }

        var psks = FindPsks(list.Psks);
        var tree = epoch.Tree.Clone();
        var joiners = list.Apply(services, tree, GroupId);
        var extensions = list.Extensions?.Extensions ?? epoch.Context.Extensions;
        var nextEpoch = Epoch + 1;
        var weAreRemoved = list.Removes.Contains(OwnLeaf);
        TreeKemUpdate? update = null;
        EpochSecrets? secrets = null;
        try
        {
            if (commit.Path is { } path)
            {
                PublicGroupChecks.MergePath(services, epoch.Tree, tree, GroupId, committer, path, extensions);
                if (!weAreRemoved)
                {
                    var provisional = new GroupContext(suite.Id, GroupId, nextEpoch, tree.TreeHash(), epoch.Context.ConfirmedTranscriptHash, extensions);
                    update = privateTree.Decrypt(tree, committer, path, joiners.ToHashSet(), provisional);
                }
            }

            if (weAreRemoved)
            {
                // A removed member learns nothing of the next epoch (the path skips it): it only stops.
                Leave();
                return;
            }

            var confirmed = TranscriptHash.Confirmed(suite, epoch.InterimTranscriptHash, PublicGroupChecks.ConfirmedTranscriptHashInput(authenticated.WireFormat, content, authenticated.Auth.Signature.Span));
            var context = new GroupContext(suite.Id, GroupId, nextEpoch, tree.TreeHash(), confirmed, extensions);
            secrets = DeriveEpoch(update?.CommitSecret, psks, context);
            var tag = authenticated.Auth.ConfirmationTag!.Value;
            try
            {
                ConfirmationTag.Verify(vault, secrets.ConfirmationKey, confirmed, tag.Span);
            }
            catch (MlsCryptoException e)
            {
                throw new MlsGroupException(MlsGroupError.ForkDetected, $"the confirmation tag of the commit from {committer} does not match the epoch it leads to", e);
            }

            var next = new GroupEpoch(services, context, tree, secrets, TranscriptHash.Interim(suite, confirmed, tag.Span), tag.ToArray());
            secrets = null;
            if (update is not null)
            {
                privateTree.Apply(update, tree);
            }

            DiscardPendingCommit();
            Enter(next);
        }
        finally
        {
            update?.Dispose();
            secrets?.Dispose();
        }
    }

    /// <summary>
    /// Makes a commit (§12.4.1) of <paramref name="proposals"/> (by value, from this member) and of every proposal
    /// received in this epoch (by reference), as a PublicMessage, with the Welcome for the members it adds. An
    /// UpdatePath is included when the proposals require one or <paramref name="forcePath"/> is set (an empty commit
    /// always has one: it is how a member updates its own keys); an add-only commit has none, so the members already
    /// in the group spend no public-key operation on it. The group stays in its epoch: the result is pending until
    /// <see cref="MergePendingCommit"/> or <see cref="DiscardPendingCommit"/>. The Welcome carries the ratchet tree
    /// in its GroupInfo when <paramref name="ratchetTreeInWelcome"/> is set; otherwise the joiners get it out of band
    /// (<see cref="ExportRatchetTree"/> after the merge).
    /// </summary>
    /// <exception cref="InvalidOperationException">A commit is already pending.</exception>
    /// <exception cref="NotSupportedException">The commit both adds members and needs an UpdatePath: the joiners' path secrets would have to leave the vault.</exception>
    /// <exception cref="MlsGroupException">The proposals are invalid, refused, or name a PSK not held; nothing changed.</exception>
    public async Task<PendingCommit> CommitAsync(IReadOnlyList<Proposal> proposals, bool forcePath = false, bool ratchetTreeInWelcome = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposals);
        RequireActive();
        if (pending is not null)
        {
            throw new InvalidOperationException("a commit of this member is pending: merge or discard it first");
        }

        var cached = epoch.Proposals.ToList();
        var covered = cached.Select(p => (p.Proposal, p.Proposer)).Concat(proposals.Select(p => (p, OwnLeaf))).ToList();
        var list = ProposalList.Validate(services, suite, epoch.Tree, epoch.Context.Extensions, OwnLeaf, covered);
        var withPath = list.PathRequired || forcePath;
        if (withPath && list.Adds.Count > 0)
        {
            throw new NotSupportedException("a commit that adds members and carries an UpdatePath is not supported: commit the adds on their own");
        }

        var psks = FindPsks(list.Psks);
        var tree = epoch.Tree.Clone();
        var joiners = list.Apply(services, tree, GroupId);
        var extensions = list.Extensions?.Extensions ?? epoch.Context.Extensions;
        var nextEpoch = Epoch + 1;
        TreeKemUpdate? update = null;
        EpochSecrets? secrets = null;
        byte[]? joinerSecret = null;
        KeyHandle? pskSecret = null;
        try
        {
            UpdatePath? path = null;
            if (withPath)
            {
                (path, update) = await TreeKem.CreateUpdatePathAsync(
                    vault, suite, tree, OwnLeaf, signatureKey, epoch.Context.GroupId.ToArray(), joiners.ToHashSet(),
                    treeHash => new GroupContext(suite.Id, GroupId, nextEpoch, treeHash, epoch.Context.ConfirmedTranscriptHash, extensions),
                    cancellationToken).ConfigureAwait(false);
            }

            var commit = new Commit([.. cached.Select(p => ProposalOrRef.ByReference(p.Ref)), .. proposals.Select(ProposalOrRef.ByValue)], path);
            var content = FramedContent.OfCommit(epoch.Context.GroupId.ToArray(), Epoch, Sender.Member(OwnLeaf), ReadOnlyMemory<byte>.Empty, commit);
            var encodedContext = epoch.Context.Encode();

            // The signature covers no confirmation tag, and the confirmed transcript hash covers the signature: sign
            // first, then derive the epoch, then tag it.
            var signature = LabeledSignature.SignWithLabel(vault, signatureKey, FramedContentSignatureLabel, content.EncodeTbs(WireFormat.PublicMessage, encodedContext));
            var confirmed = TranscriptHash.Confirmed(suite, epoch.InterimTranscriptHash, PublicGroupChecks.ConfirmedTranscriptHashInput(WireFormat.PublicMessage, content, signature));
            var context = new GroupContext(suite.Id, GroupId, nextEpoch, tree.TreeHash(), confirmed, extensions);
            if (joiners.Count == 0)
            {
                secrets = DeriveEpoch(update?.CommitSecret, psks, context);
            }
            else
            {
                // The Welcome seals joiner_secret to each joiner by HPKE, which seals bytes (§12.4.3.1); the epoch
                // comes from the same bytes, so the two cannot disagree.
                pskSecret = PskSecret.Derive(vault, suite, psks);
                joinerSecret = JoinerSecretBytes(update?.CommitSecret, context);
                secrets = EpochSecrets.FromJoinerSecret(vault, vault.ImportEphemeralKey(KeyType.Secret, joinerSecret), pskSecret, context);
            }

            var tag = ConfirmationTag.Compute(vault, secrets.ConfirmationKey, confirmed);
            var auth = new FramedContentAuthData(signature, tag);
            var membershipTag = MembershipTag.Compute(vault, epoch.Secrets.MembershipKey, new AuthenticatedContent(WireFormat.PublicMessage, content, auth), encodedContext);
            Welcome? welcome = null;
            if (joinerSecret is not null)
            {
                Extension[] groupInfoExtensions = ratchetTreeInWelcome ? [new Extension(ExtensionType.RatchetTree, tree.ToRatchetTree().Encode())] : [];
                var groupInfo = Mls.GroupInfo.Sign(vault, signatureKey, context, groupInfoExtensions, tag, OwnLeaf);
                welcome = await WelcomeProtocol.CreateAsync(
                    vault, suite, joinerSecret, pskSecret!, list.Psks, groupInfo, [.. list.Adds.Select(k => (k, (PathSecret?)null))], cancellationToken).ConfigureAwait(false);
            }

            var next = new GroupEpoch(services, context, tree, secrets, TranscriptHash.Interim(suite, confirmed, tag), tag);
            secrets = null;
            pending = new PendingCommit(MlsMessage.Of(new PublicMessage(content, auth, membershipTag)), welcome, next, update, Epoch);
            update = null;
            return pending;
        }
        finally
        {
            update?.Dispose();
            secrets?.Dispose();
            if (joinerSecret is not null)
            {
                CryptographicOperations.ZeroMemory(joinerSecret);
            }

            if (pskSecret is not null)
            {
                vault.DeleteEphemeralKey(pskSecret);
            }
        }
    }

    /// <summary>The Delivery Service accepted our pending commit: the group enters the epoch it leads to.</summary>
    /// <exception cref="InvalidOperationException">No commit is pending, or it is of an epoch the group has left.</exception>
    public void MergePendingCommit()
    {
        RequireActive();
        var commit = pending ?? throw new InvalidOperationException("no commit of this member is pending");
        if (commit.FromEpoch != Epoch)
        {
            throw new InvalidOperationException($"the pending commit is of epoch {commit.FromEpoch}, not {Epoch}");
        }

        pending = null;
        Enter(commit.Merge(privateTree));
    }

    /// <summary>The Delivery Service refused our pending commit (or we gave it up): it is dropped, the group unchanged.</summary>
    public void DiscardPendingCommit()
    {
        pending?.Dispose();
        pending = null;
    }

    /// <summary>Encrypts application data for the group's current epoch as a PrivateMessage (§6.3).</summary>
    public MlsMessage Encrypt(ReadOnlyMemory<byte> applicationData, ReadOnlyMemory<byte> authenticatedData = default)
    {
        RequireActive();
        var content = FramedContent.Application(epoch.Context.GroupId.ToArray(), Epoch, Sender.Member(OwnLeaf), authenticatedData, applicationData);
        return MlsMessage.Of(epoch.Protection.ProtectPrivate(content, signatureKey, null, 0));
    }

    /// <summary>The application data of a PrivateMessage of this epoch, with its sender, once it decrypts and its signature verifies.</summary>
    /// <exception cref="MlsGroupException">Another group or epoch, or not application content.</exception>
    /// <exception cref="MlsCryptoException">It does not decrypt or verify, or is a replay.</exception>
    public (LeafIndex Sender, byte[] ApplicationData) Decrypt(MlsMessage message)
    {
        RequireActive();
        var authenticated = Unprotect(message, ContentType.Application);
        return (new LeafIndex(authenticated.Content.Sender.Index), authenticated.Content.ApplicationData.ToArray());
    }

    /// <summary>MLS-Exporter(label, context, length) of this epoch (§8.5), a new vault secret the caller owns.</summary>
    public KeyHandle Export(ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, int length)
    {
        RequireActive();
        return epoch.Secrets.Export(label, context, length);
    }

    /// <summary>
    /// A GroupInfo of this epoch (§12.4.3) signed by this member: the GroupContext, the epoch's confirmation tag and,
    /// when <paramref name="withRatchetTree"/> is set, the tree in a ratchet_tree extension. The creator of a group
    /// hands the one of epoch 0 to the Delivery Service, which checks and keeps the group's public state from it.
    /// </summary>
    public Mls.GroupInfo GroupInfo(bool withRatchetTree)
    {
        RequireActive();
        Extension[] extensions = withRatchetTree ? [new Extension(ExtensionType.RatchetTree, epoch.Tree.ToRatchetTree().Encode())] : [];
        return Mls.GroupInfo.Sign(vault, signatureKey, epoch.Context, extensions, epoch.ConfirmationTag, OwnLeaf);
    }

    /// <summary>The ratchet tree of this epoch, as joiners take it out of band (§12.4.3.3).</summary>
    public RatchetTree ExportRatchetTree()
    {
        RequireActive();
        return epoch.Tree.ToRatchetTree();
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        if (!removed)
        {
            Leave();
        }

        disposed = true;
    }

    // A joiner holds only external PSKs the caller has; a resumption PSK of another group is not kept here.
    private static Func<PreSharedKeyId, KeyHandle?> FindWelcomePsk(MlsGroupServices services) =>
        id => id.PskType == PskType.External ? services.ExternalPsks(id) : null;

    // §12.4.3.1: the path secret is that of the lowest common ancestor of the joiner and the committer; each node
    // above it on the committer's filtered direct path takes the next one, path_secret[n+1] = DeriveSecret(path_secret[n], "path").
    private static void TakePathSecret(IVault vault, CipherSuite suite, TreeKemPrivate privateTree, PublicTree tree, LeafIndex committer, KeyHandle pathSecret)
    {
        var filtered = tree.FilteredDirectPath(committer);
        var ancestor = TreeMath.CommonAncestor(committer.Node, privateTree.Leaf.Node);
        var first = filtered.FindIndex(f => f.Node == ancestor);
        if (first < 0)
        {
            throw new MlsGroupException(MlsGroupError.InvalidTree, $"the Welcome's path secret is for {ancestor}, which is not on the committer's filtered direct path");
        }

        var secret = pathSecret;
        for (var i = first; i < filtered.Count; i++)
        {
            var following = i + 1 < filtered.Count ? KeyDerivation.DeriveSecret(vault, suite, secret, "path") : null;
            privateTree.SetPathSecret(filtered[i].Node, secret);
            secret = following!;
        }
    }

    private AuthenticatedContent Unprotect(MlsMessage message, ContentType expected)
    {
        ArgumentNullException.ThrowIfNull(message);
        ReadOnlyMemory<byte> groupId;
        ulong messageEpoch;
        ContentType contentType;
        Sender? sender = null;
        switch (message.WireFormat)
        {
            case WireFormat.PublicMessage:
                var content = message.PublicMessage!.Content;
                (groupId, messageEpoch, contentType, sender) = (content.GroupId, content.Epoch, content.ContentType, content.Sender);
                break;
            case WireFormat.PrivateMessage:
                var privateMessage = message.PrivateMessage!;
                (groupId, messageEpoch, contentType) = (privateMessage.GroupId, privateMessage.Epoch, privateMessage.ContentType);
                break;
            default:
                throw new MlsGroupException(MlsGroupError.WrongContent, $"a {message.WireFormat} is not a group message");
        }

        if (!groupId.Span.SequenceEqual(GroupId))
        {
            throw new MlsGroupException(MlsGroupError.WrongGroup, "the message is of another group");
        }

        if (messageEpoch != Epoch)
        {
            throw new MlsGroupException(MlsGroupError.WrongEpoch, $"the message is of epoch {messageEpoch}, the group is in epoch {Epoch}");
        }

        if (contentType != expected)
        {
            throw new MlsGroupException(MlsGroupError.WrongContent, $"the message carries {contentType} content, not {expected}");
        }

        if (sender is not null && (sender.SenderType != SenderType.Member || sender.Index >= epoch.Tree.LeafCount || epoch.Tree.Leaf(new LeafIndex(sender.Index)) is null))
        {
            throw new MlsGroupException(MlsGroupError.NotFromMember, $"the message's sender ({sender.SenderType} {sender.Index}) is not a member of the group");
        }

        return message.WireFormat == WireFormat.PublicMessage
            ? epoch.Protection.UnprotectPublic(message.PublicMessage!)
            : epoch.Protection.UnprotectPrivate(message.PrivateMessage!);
    }

    private List<(Proposal Proposal, LeafIndex Proposer)> Resolve(Commit commit, LeafIndex committer)
    {
        var resolved = new List<(Proposal, LeafIndex)>(commit.Proposals.Count);
        foreach (var proposalOrRef in commit.Proposals)
        {
            if (proposalOrRef.Proposal is { } byValue)
            {
                resolved.Add((byValue, committer));
            }
            else if (epoch.TryGetProposal(proposalOrRef.Reference.Span, out var byReference))
            {
                resolved.Add(byReference);
            }
            else
            {
                throw new MlsGroupException(MlsGroupError.UnknownProposal, $"the commit names proposal {Convert.ToHexString(proposalOrRef.Reference.Span)}, not received in epoch {Epoch}");
            }
        }

        return resolved;
    }

    // External PSKs come from the caller; resumption PSKs from this group's own recent epochs (§8.4). The handles
    // are not owned by the list.
    private List<(PreSharedKeyId Id, KeyHandle Psk)> FindPsks(IReadOnlyList<PreSharedKeyId> ids)
    {
        var found = new List<(PreSharedKeyId, KeyHandle)>(ids.Count);
        foreach (var id in ids)
        {
            var psk = id.PskType == PskType.External
                ? services.ExternalPsks(id)
                : id.PskGroupId.SequenceEqual(GroupId) ? resumptionPsks.Find(id.PskEpoch) : null;
            found.Add((id, psk ?? throw new MlsGroupException(MlsGroupError.UnknownPsk, $"the commit injects a {id.PskType} PSK this member does not hold")));
        }

        return found;
    }

    private EpochSecrets DeriveEpoch(KeyHandle? commitSecret, List<(PreSharedKeyId Id, KeyHandle Psk)> psks, GroupContext context)
    {
        var zero = commitSecret is null ? vault.ImportEphemeralKey(KeyType.Secret, new byte[suite.Nh]) : null;
        var pskSecret = PskSecret.Derive(vault, suite, psks);
        try
        {
            return EpochSecrets.Derive(vault, epoch.Secrets.InitSecret, commitSecret ?? zero!, pskSecret, context);
        }
        finally
        {
            vault.DeleteEphemeralKey(pskSecret);
            if (zero is not null)
            {
                vault.DeleteEphemeralKey(zero);
            }
        }
    }

    // joiner_secret = ExpandWithLabel(KDF.Extract(init_secret, commit_secret), "joiner", GroupContext, KDF.Nh) (§8).
    private byte[] JoinerSecretBytes(KeyHandle? commitSecret, GroupContext context)
    {
        var zero = commitSecret is null ? vault.ImportEphemeralKey(KeyType.Secret, new byte[suite.Nh]) : null;
        var extracted = vault.HkdfExtract(epoch.Secrets.InitSecret, [], [commitSecret ?? zero!]);
        try
        {
            return KeyDerivation.ExpandWithLabelToBytes(vault, extracted, JoinerLabel, context.Encode(), suite.Nh);
        }
        finally
        {
            vault.DeleteEphemeralKey(extracted);
            if (zero is not null)
            {
                vault.DeleteEphemeralKey(zero);
            }
        }
    }

    private void Enter(GroupEpoch next)
    {
        var previous = epoch;
        epoch = next;
        resumptionPsks.Add(next.Context.Epoch, next.Secrets.TakeResumptionPsk());
        previous.Dispose();
    }

    private void Leave()
    {
        removed = true;
        DiscardPendingCommit();
        epoch.Dispose();
        privateTree.Dispose();
        resumptionPsks.Dispose();
    }

    private void RequireSavable()
    {
        RequireActive();
        if (pending is not null)
        {
            throw new InvalidOperationException("a commit of this member is pending: merge or discard it before saving");
        }
    }

    private void RequireActive()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (removed)
        {
            throw new MlsGroupException(MlsGroupError.Removed, "this member was removed from the group");
        }
    }
}
