namespace Ockam.Identity.Mls;

/// <summary>
/// Everything a member holds for one epoch (RFC 9420 §8): the GroupContext, the public ratchet tree, the epoch's
/// secrets and secret tree, the interim transcript hash the next commit chains from, the confirmation tag that
/// confirmed the epoch (a GroupInfo of the epoch carries it), and the proposals received in
/// the epoch, by ProposalRef. A new epoch is a new object: a commit builds it aside and the group swaps it in only
/// once the commit is accepted, so a refused commit changes nothing.
/// </summary>
internal sealed class GroupEpoch : IDisposable
{
    private readonly OrderedDictionary<string, (Proposal Proposal, LeafIndex Proposer)> proposals = [];

    public GroupEpoch(MlsGroupServices services, GroupContext context, PublicTree tree, EpochSecrets secrets, byte[] interimTranscriptHash, byte[] confirmationTag)
        : this(services, context, tree, secrets, interimTranscriptHash, confirmationTag, NewSecretTree(services, context, tree, secrets))
    {
    }

    /// <summary>An epoch whose secret tree is <paramref name="secretTree"/> (restored from saved state), which the epoch now owns.</summary>
    public GroupEpoch(MlsGroupServices services, GroupContext context, PublicTree tree, EpochSecrets secrets, byte[] interimTranscriptHash, byte[] confirmationTag, SecretTree secretTree)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(interimTranscriptHash);
        ArgumentNullException.ThrowIfNull(confirmationTag);
        ArgumentNullException.ThrowIfNull(secretTree);
        Context = context;
        Tree = tree;
        Secrets = secrets;
        InterimTranscriptHash = interimTranscriptHash;
        ConfirmationTag = confirmationTag;
        SecretTree = secretTree;
        Protection = new MessageProtection(services.Vault, context, secrets.SenderDataSecret, secrets.MembershipKey, SecretTree, new TreeSignatureKeys(tree));
    }

    public GroupContext Context { get; }

    public PublicTree Tree { get; }

    public EpochSecrets Secrets { get; }

    public SecretTree SecretTree { get; }

    public MessageProtection Protection { get; }

    public byte[] InterimTranscriptHash { get; }

    /// <summary>The confirmation_tag of the commit (or, for epoch 0, of the creation) that entered this epoch (§6.1).</summary>
    public byte[] ConfirmationTag { get; }

    /// <summary>The proposals received in this epoch in the order received, for a commit by this member to cover.</summary>
    public IEnumerable<(byte[] Ref, Proposal Proposal, LeafIndex Proposer)> Proposals =>
        proposals.Select(p => (Convert.FromHexString(p.Key), p.Value.Proposal, p.Value.Proposer));

    /// <summary>Keeps a proposal of this epoch under its reference; a repeat of the same message changes nothing.</summary>
    public void CacheProposal(ReadOnlySpan<byte> proposalRef, Proposal proposal, LeafIndex proposer) =>
        proposals[Convert.ToHexString(proposalRef)] = (proposal, proposer);

    public bool TryGetProposal(ReadOnlySpan<byte> proposalRef, out (Proposal Proposal, LeafIndex Proposer) proposal) =>
        proposals.TryGetValue(Convert.ToHexString(proposalRef), out proposal);

    private static SecretTree NewSecretTree(MlsGroupServices services, GroupContext context, PublicTree tree, EpochSecrets secrets)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(secrets);
        return new SecretTree(services.Vault, CipherSuite.FromId(context.CipherSuite), secrets.EncryptionSecret, tree.LeafCount);
    }

    public void Dispose()
    {
        SecretTree.Dispose();
        Secrets.Dispose();
    }
}
