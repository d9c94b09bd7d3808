namespace Ockam.Identity.Mls;

/// <summary>
/// Who asks for a change of membership or extensions, as a <see cref="IMembershipPolicy"/> judges it: the committer
/// and the proposer (the same for a proposal sent by value), each with its leaf in the tree of the commit's epoch,
/// and the GroupContext extensions in force in that epoch — the ones a policy reads its rules from, never the ones
/// the commit proposes.
/// </summary>
internal sealed record MembershipChange(
    LeafIndex Committer,
    LeafNode CommitterLeaf,
    LeafIndex Proposer,
    LeafNode ProposerLeaf,
    IReadOnlyList<Extension> Extensions);
