using Ockam.Identity.Identities;

namespace Ockam.Identity.Mls;

/// <summary>
/// What the Delivery Service knows of a group (RFC 9420 §§3, 12.4.2 without the secrets): the GroupContext, the
/// public ratchet tree and the interim transcript hash, enough to follow the group epoch by epoch through its
/// PublicMessage commits and check everything in them that needs no group secret.
/// <para>
/// It checks: the commit is of this group and epoch, from a member, signed by that member's leaf over the
/// FramedContentTBS with the epoch's GroupContext; its proposals pass §12.2 and the membership policy and
/// Authentication Service the caller gives; its leaves verify where they land; its UpdatePath's public part (leaf,
/// new keys, parent hashes). It then computes the next GroupContext — tree hash, confirmed transcript hash from the
/// commit's signature, interim transcript hash from its confirmation tag — exactly as members do, so its
/// <see cref="Context"/> stays the members' as long as they accept the same commits.
/// </para>
/// <para>
/// It cannot check, holding no key of the group: the membership tag (it needs the membership key), the confirmation
/// tag (the confirmation key), the UpdatePath's ciphertexts, the PSKs a commit injects, nor anything inside a
/// PrivateMessage. The other members refuse a commit whose confirmation tag is wrong, but this state has moved on to
/// its epoch all the same (docs/security.md: a bad commit freezes a group, open). Hence this Delivery Service requires handshake messages as PublicMessages (§6 leaves the
/// choice to the application) and refuses a PrivateMessage commit; and it takes proposals by value only (a proposal
/// by reference would need the Delivery Service to have seen and kept it, which it does not).
/// </para>
/// <para>Every change is made to a copy and swapped in last: a refused commit leaves the state as it was.</para>
/// </summary>
internal sealed class PublicGroupState
{
    private readonly CipherSuite suite;

    private PublicGroupState(CipherSuite suite, GroupContext context, PublicTree tree, byte[] interimTranscriptHash)
    {
        this.suite = suite;
        Context = context;
        Tree = tree;
        InterimTranscriptHash = interimTranscriptHash;
    }

    public GroupContext Context { get; private set; }

    public PublicTree Tree { get; private set; }

    public byte[] InterimTranscriptHash { get; private set; }

    public ulong Epoch => Context.Epoch;

    /// <summary>The members, by leaf, with the identifier each leaf's credential names (null if none).</summary>
    public IEnumerable<(LeafIndex Index, Identifier? Identifier)> Members =>
        Tree.Members().Select(m => (m.Index, OckamCredentialAuthentication.IdentifierOf(m.Leaf)));

    /// <summary>
    /// The state of a new group from its creator's signed GroupInfo of epoch 0 and the group's ratchet tree: the tree
    /// validated (<see cref="PublicGroupChecks.ValidatedTree"/>, every leaf asked of the Authentication Service) and
    /// holding exactly one member, the GroupInfo signed by that member's leaf, an empty confirmed transcript hash.
    /// </summary>
    /// <exception cref="MlsGroupException">Not epoch 0, not a single member, the signer not that member, or an invalid tree.</exception>
    /// <exception cref="MlsCryptoException">An unsupported cipher suite, or the GroupInfo's signature does not verify.</exception>
    public static PublicGroupState Create(MlsGroupServices services, GroupInfo groupInfo, RatchetTree ratchetTree)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(groupInfo);
        ArgumentNullException.ThrowIfNull(ratchetTree);
        var context = groupInfo.GroupContext;
        var suite = CipherSuite.FromId(context.CipherSuite);
        if (context.Epoch != 0 || context.ConfirmedTranscriptHash.Length != 0)
        {
            throw new MlsGroupException(MlsGroupError.WrongEpoch, $"a new group starts at epoch 0 with an empty transcript, not epoch {context.Epoch}");
        }

        var tree = PublicGroupChecks.ValidatedTree(services, suite, groupInfo, ratchetTree);
        if (tree.Members().ToList() is not [var only] || only.Index != groupInfo.Signer)
        {
            throw new MlsGroupException(MlsGroupError.InvalidTree, "a new group holds exactly one member, the GroupInfo's signer");
        }

        groupInfo.VerifySignature(services.Vault, only.Leaf.SignatureKey.Span);
        return new PublicGroupState(suite, context, tree, TranscriptHash.Interim(suite, [], groupInfo.ConfirmationTag.Span));
    }

    /// <summary>
    /// The state the Delivery Service stored itself (<see cref="Context"/>, <see cref="Tree"/> and
    /// <see cref="InterimTranscriptHash"/>): not validated again but for the tree's hash, which must be the context's.
    /// </summary>
    /// <exception cref="MlsGroupException">The tree's hash is not the context's.</exception>
    /// <exception cref="MlsCryptoException">An unsupported cipher suite or a tree that does not fit its shape.</exception>
    public static PublicGroupState Restore(GroupContext context, RatchetTree ratchetTree, byte[] interimTranscriptHash)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(ratchetTree);
        ArgumentNullException.ThrowIfNull(interimTranscriptHash);
        var suite = CipherSuite.FromId(context.CipherSuite);
        var tree = PublicTree.FromRatchetTree(suite, ratchetTree);
        if (!tree.TreeHash().AsSpan().SequenceEqual(context.TreeHash))
        {
            throw new MlsGroupException(MlsGroupError.InvalidTree, "the stored tree's hash is not the stored GroupContext's tree_hash");
        }

        return new PublicGroupState(suite, context, tree, interimTranscriptHash);
    }

    /// <summary>
    /// Follows <paramref name="message"/>, a PublicMessage commit of this epoch, into the next epoch once everything
    /// this state can check checks out (see the class remarks), with <paramref name="services"/>'s Authentication
    /// Service and membership policy. Returns who it added and removed.
    /// </summary>
    /// <exception cref="MlsGroupException">The commit is refused; the state is unchanged.</exception>
    /// <exception cref="MlsCryptoException">Its signature does not verify; the state is unchanged.</exception>
    public AppliedCommit Apply(MlsGroupServices services, MlsMessage message)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(message);
        if (message.WireFormat != WireFormat.PublicMessage)
        {
            throw new MlsGroupException(MlsGroupError.WrongContent, $"the Delivery Service takes commits as PublicMessages, not as a {message.WireFormat}");
        }

        var publicMessage = message.PublicMessage!;
        var content = publicMessage.Content;
        if (!content.GroupId.Span.SequenceEqual(Context.GroupId))
        {
            throw new MlsGroupException(MlsGroupError.WrongGroup, "the commit is of another group");
        }

        if (content.Epoch != Epoch)
        {
            throw new MlsGroupException(MlsGroupError.WrongEpoch, $"the commit is of epoch {content.Epoch}, the group is in epoch {Epoch}");
        }

        if (content.ContentType != ContentType.Commit)
        {
            throw new MlsGroupException(MlsGroupError.WrongContent, $"the message carries {content.ContentType} content, not a commit");
        }

        var sender = content.Sender;
        if (sender.SenderType != SenderType.Member || sender.Index >= Tree.LeafCount || Tree.Leaf(new LeafIndex(sender.Index)) is not { } committerLeaf)
        {
            throw new MlsGroupException(MlsGroupError.NotFromMember, $"the commit's sender ({sender.SenderType} {sender.Index}) is not a member of the group");
        }

        var committer = new LeafIndex(sender.Index);
        var authenticated = new AuthenticatedContent(WireFormat.PublicMessage, content, publicMessage.Auth);
        authenticated.VerifySignature(services.Vault, committerLeaf.SignatureKey.Span, Context.Encode());

        var commit = content.Commit!;
        var proposals = new List<(Proposal, LeafIndex)>(commit.Proposals.Count);
        foreach (var proposalOrRef in commit.Proposals)
        {
            proposals.Add((
                proposalOrRef.Proposal ?? throw new MlsGroupException(MlsGroupError.UnknownProposal, "the Delivery Service takes a commit's proposals by value only"),
                committer));
        }

        var list = ProposalList.Validate(services, suite, Tree, Context.Extensions, committer, proposals);
        if (list.PathRequired && commit.Path is null)
        {
            throw new MlsGroupException(MlsGroupError.InvalidPath, "the commit's proposals require an UpdatePath and it has none (§12.4)");
        }

        var tree = Tree.Clone();
        var joiners = list.Apply(services, tree, Context.GroupId);
        var extensions = list.Extensions?.Extensions ?? Context.Extensions;
        if (commit.Path is { } path)
        {
            PublicGroupChecks.MergePath(services, Tree, tree, Context.GroupId, committer, path, extensions);
        }

        var tag = publicMessage.Auth.ConfirmationTag!.Value;
        var confirmed = TranscriptHash.Confirmed(suite, InterimTranscriptHash, PublicGroupChecks.ConfirmedTranscriptHashInput(WireFormat.PublicMessage, content, publicMessage.Auth.Signature.Span));
        var context = new GroupContext(suite.Id, Context.GroupId, Epoch + 1, tree.TreeHash(), confirmed, extensions);
        var interim = TranscriptHash.Interim(suite, confirmed, tag.Span);
        var added = list.Adds.Zip(joiners, (keyPackage, index) => new AddedMember(index, OckamCredentialAuthentication.IdentifierOf(keyPackage.LeafNode), keyPackage.ComputeRef(suite))).ToList();
        var removed = list.Removes.Select(index => new RemovedMember(index, OckamCredentialAuthentication.IdentifierOf(Tree.Leaf(index)!))).ToList();

        (Context, Tree, InterimTranscriptHash) = (context, tree, interim);
        return new AppliedCommit(committer, added, removed);
    }
}
