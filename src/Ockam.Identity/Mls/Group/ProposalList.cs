namespace Ockam.Identity.Mls;

/// <summary>
/// The proposals a commit covers, checked as a list (RFC 9420 §12.2) and sorted into the order they apply in (§12.3):
/// GroupContextExtensions, then Updates, Removes, Adds (in list order) and PSKs (in list order). Both the committer
/// and every member processing the commit build one, so both reach the same tree.
/// </summary>
internal sealed class ProposalList
{
    private ProposalList(
        GroupContextExtensionsProposal? extensions,
        List<(LeafIndex Proposer, LeafNode Leaf)> updates,
        List<LeafIndex> removes,
        List<KeyPackage> adds,
        List<PreSharedKeyId> psks,
        bool pathRequired)
    {
        Extensions = extensions;
        Updates = updates;
        Removes = removes;
        Adds = adds;
        Psks = psks;
        PathRequired = pathRequired;
    }

    /// <summary>The GroupContextExtensions proposal, if any.</summary>
    public GroupContextExtensionsProposal? Extensions { get; }

    public IReadOnlyList<(LeafIndex Proposer, LeafNode Leaf)> Updates { get; }

    public IReadOnlyList<LeafIndex> Removes { get; }

    public IReadOnlyList<KeyPackage> Adds { get; }

    public IReadOnlyList<PreSharedKeyId> Psks { get; }

    /// <summary>
    /// Whether the commit must carry an UpdatePath (§12.4): when it covers no proposal at all, or any of a type whose
    /// "Path Required" is Y in §17.4 (Update, Remove, ExternalInit, GroupContextExtensions). Add-only and PSK-only
    /// commits may go without one, which is what makes adding a member cheap for everyone else.
    /// </summary>
    public bool PathRequired { get; }

    /// <summary>
    /// Checks <paramref name="proposals"/> — each with the member that proposed it, the committer for those sent by
    /// value — as a regular (not external) commit by <paramref name="committer"/> in <paramref name="tree"/>, the tree
    /// of the epoch the commit is for, under <paramref name="groupExtensions"/>. What needs the new tree (key
    /// uniqueness, leaf signatures bound to a leaf index) is checked by <see cref="Apply"/>.
    /// </summary>
    /// <exception cref="MlsGroupException">The list is invalid, holds an unsupported proposal, or a change is refused by the Authentication Service or the membership policy.</exception>
    public static ProposalList Validate(
        MlsGroupServices services,
        CipherSuite suite,
        PublicTree tree,
        IReadOnlyList<Extension> groupExtensions,
        LeafIndex committer,
        IReadOnlyList<(Proposal Proposal, LeafIndex Proposer)> proposals)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(groupExtensions);
        ArgumentNullException.ThrowIfNull(proposals);
        GroupContextExtensionsProposal? extensions = null;
        var updates = new List<(LeafIndex, LeafNode)>();
        var removes = new List<LeafIndex>();
        var adds = new List<KeyPackage>();
        var psks = new List<PreSharedKeyId>();
        var changedLeaves = new HashSet<LeafIndex>();
        var pathRequired = proposals.Count == 0;
        foreach (var (proposal, proposer) in proposals)
        {
            switch (proposal.Body)
            {
                case GroupContextExtensionsProposal gce:
                    Require(extensions is null, "the commit holds more than one GroupContextExtensions proposal");
                    extensions = gce;
                    pathRequired = true;
                    break;
                case UpdateProposal update:
                    Require(proposer != committer, $"the commit holds an Update proposed by its committer, {committer}");
                    Require(changedLeaves.Add(proposer), $"the commit updates or removes {proposer} more than once");
                    updates.Add((proposer, update.LeafNode));
                    pathRequired = true;
                    break;
                case RemoveProposal remove:
                    Require(remove.Removed != committer, $"the commit removes its committer, {committer}");
                    Require(remove.Removed.Value < tree.LeafCount && tree.Leaf(remove.Removed) is not null, $"the commit removes {remove.Removed}, which holds no member");
                    Require(changedLeaves.Add(remove.Removed), $"the commit updates or removes {remove.Removed} more than once");
                    removes.Add(remove.Removed);
                    pathRequired = true;
                    break;
                case AddProposal add:
                    adds.Add(add.KeyPackage);
                    break;
                case PreSharedKeyProposal psk:
                    CheckPsk(suite, psk.Psk);
                    Require(!psks.Any(p => SameId(p, psk.Psk)), "the commit injects the same PSK twice");
                    psks.Add(psk.Psk);
                    break;
                case ReInitProposal:
                    throw new MlsGroupException(MlsGroupError.UnsupportedProposal, "the commit holds a ReInit proposal, which this implementation does not act on");
                case ExternalInitProposal:
                    throw new MlsGroupException(MlsGroupError.InvalidProposals, "a member's commit holds an ExternalInit proposal (§12.2)");
                default:
                    throw new MlsGroupException(MlsGroupError.UnsupportedProposal, $"the commit holds a {proposal.ProposalType} proposal, which this implementation does not act on");
            }
        }

        // The Updates and Adds are checked under the extensions the commit leaves the group with (§12.3).
        var required = ReadRequirement(extensions?.Extensions ?? groupExtensions);
        if (extensions is not null && required is not null)
        {
            foreach (var (index, member) in tree.Members())
            {
                Require(changedLeaves.Contains(index) || required.IsMetBy(member), $"{index} does not support the required capabilities the commit sets");
            }
        }

        var credentials = adds.Count + updates.Count > 0 ? new CredentialSupport(tree, changedLeaves) : null;
        var addedSignatureKeys = new HashSet<string>();
        foreach (var keyPackage in adds)
        {
            CheckAdd(services, suite, required, keyPackage);
            Require(credentials!.Admits(keyPackage.LeafNode), "an added client's credential type is not supported by every member, or it does not support every type in use");
            Require(addedSignatureKeys.Add(Convert.ToHexString(keyPackage.LeafNode.SignatureKey.Span)), "the commit adds the same client twice");
        }

        foreach (var (proposer, leaf) in updates)
        {
            CheckUpdate(services, tree, required, proposer, leaf);
            Require(credentials!.Admits(leaf), $"the Update of {proposer} has a credential type not supported by every member, or does not support every type in use");
        }

        CheckPolicy(services.Membership, tree, groupExtensions, committer, proposals);
        return new ProposalList(extensions, updates, removes, adds, psks, pathRequired);
    }

    /// <summary>
    /// Applies the list to <paramref name="tree"/> (the caller's provisional copy) in §12.3's order, each leaf checked
    /// where it lands — an Update's signature bound to the group and its index, every leaf's keys no other member's
    /// (an Add's leaf signature, which names neither, was verified by <see cref="Validate"/>) — and returns the leaves
    /// the Adds took, in list order.
    /// </summary>
    /// <exception cref="MlsGroupException">A leaf does not verify or repeats another member's key.</exception>
    public List<LeafIndex> Apply(MlsGroupServices services, PublicTree tree, ReadOnlySpan<byte> groupId)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(tree);
        try
        {
            foreach (var (proposer, leaf) in Updates)
            {
                tree.UpdateLeaf(proposer, leaf);
                tree.VerifyLeafNode(services.Vault, groupId, proposer, leaf);
            }

            foreach (var removed in Removes)
            {
                tree.RemoveLeaf(removed);
            }

            var joiners = new List<LeafIndex>(Adds.Count);
            foreach (var keyPackage in Adds)
            {
                // Its signature was verified with the KeyPackage's (Validate), over the same bytes wherever it lands.
                var index = tree.AddLeaf(keyPackage.LeafNode);
                tree.CheckKeysUnique(index, keyPackage.LeafNode);
                joiners.Add(index);
            }

            return joiners;
        }
        catch (MlsCryptoException e)
        {
            throw new MlsGroupException(MlsGroupError.InvalidProposals, $"the proposals do not apply to the tree: {e.Message}", e);
        }
    }

    /// <summary>The group's required capabilities under <paramref name="extensions"/>.</summary>
    /// <exception cref="MlsGroupException">The required_capabilities extension is malformed.</exception>
    public static RequiredCapabilities? ReadRequirement(IReadOnlyList<Extension> extensions)
    {
        try
        {
            return RequiredCapabilities.Of(extensions);
        }
        catch (Encoding.OckamDecodeException e)
        {
            throw new MlsGroupException(MlsGroupError.InvalidProposals, "the group's required_capabilities extension is malformed", e);
        }
    }

    /// <summary>Checks a leaf as the Authentication Service and the group's required capabilities see it.</summary>
    /// <exception cref="MlsGroupException">Either refuses it.</exception>
    public static void CheckLeaf(MlsGroupServices services, RequiredCapabilities? required, LeafNode leaf, string what)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(leaf);
        if (!services.Authentication.Accepts(leaf))
        {
            throw new MlsGroupException(MlsGroupError.Unauthenticated, $"the Authentication Service refuses the credential of {what}");
        }

        Require(required is null || required.IsMetBy(leaf), $"{what} does not support the group's required capabilities");
    }

    private static void CheckAdd(MlsGroupServices services, CipherSuite suite, RequiredCapabilities? required, KeyPackage keyPackage)
    {
        try
        {
            KeyPackageValidation.Validate(services.Vault, suite, keyPackage, services.Time.GetUtcNow());
        }
        catch (MlsCryptoException e)
        {
            throw new MlsGroupException(MlsGroupError.InvalidProposals, $"an added key package is invalid: {e.Message}", e);
        }

        CheckLeaf(services, required, keyPackage.LeafNode, "an added key package");
    }

    // Asked once the list is valid, for each change with who proposed it, under the extensions in force.
    private static void CheckPolicy(
        IMembershipPolicy policy, PublicTree tree, IReadOnlyList<Extension> groupExtensions, LeafIndex committer, IReadOnlyList<(Proposal Proposal, LeafIndex Proposer)> proposals)
    {
        var committerLeaf = tree.Leaf(committer) ?? throw new MlsGroupException(MlsGroupError.NotFromMember, $"the committer, {committer}, holds no member");
        foreach (var (proposal, proposer) in proposals)
        {
            if (proposal.Body is not (AddProposal or RemoveProposal or GroupContextExtensionsProposal))
            {
                continue;
            }

            var proposerLeaf = tree.Leaf(proposer) ?? throw new MlsGroupException(MlsGroupError.NotFromMember, $"a proposal comes from {proposer}, which holds no member");
            var change = new MembershipChange(committer, committerLeaf, proposer, proposerLeaf, groupExtensions);
            var (allowed, what) = proposal.Body switch
            {
                AddProposal add => (policy.MayAdd(change, add.KeyPackage), "add this client"),
                RemoveProposal remove => (policy.MayRemove(change, remove.Removed, tree.Leaf(remove.Removed)!), $"remove {remove.Removed}"),
                GroupContextExtensionsProposal gce => (policy.MayChangeExtensions(change, gce.Extensions), "change the group's extensions"),
                _ => (true, string.Empty),
            };
            if (!allowed)
            {
                throw new MlsGroupException(MlsGroupError.Unauthorized, $"{committer} (for {proposer}) may not {what}");
            }
        }
    }

    private static void CheckUpdate(MlsGroupServices services, PublicTree tree, RequiredCapabilities? required, LeafIndex proposer, LeafNode leaf)
    {
        var current = tree.Leaf(proposer);
        Require(current is not null, $"an Update comes from {proposer}, which holds no member");
        Require(leaf.LeafNodeSource == LeafNodeSource.Update, $"the Update of {proposer} has a {leaf.LeafNodeSource} leaf, not an update one");
        Require(!leaf.EncryptionKey.Span.SequenceEqual(current!.EncryptionKey.Span), $"the Update of {proposer} keeps its encryption key");
        CheckLeaf(services, required, leaf, $"the Update of {proposer}");
    }

    // §12.1.4: only external PSKs and resumption PSKs of usage application may be proposed, each with a fresh Nh-byte nonce.
    private static void CheckPsk(CipherSuite suite, PreSharedKeyId psk)
    {
        Require(psk.PskNonce.Length == suite.Nh, $"a PSK's nonce is {psk.PskNonce.Length} bytes, not {suite.Nh}");
        Require(psk.PskType == PskType.External || psk.Usage == ResumptionPskUsage.Application, $"a proposed resumption PSK has usage {psk.Usage}, not application");
    }

    private static bool SameId(PreSharedKeyId a, PreSharedKeyId b) => Encode(a).AsSpan().SequenceEqual(Encode(b));

    private static byte[] Encode(PreSharedKeyId id)
    {
        var writer = new MlsWriter();
        id.Write(writer);
        return writer.ToArray();
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new MlsGroupException(MlsGroupError.InvalidProposals, message);
        }
    }
}
