namespace Ockam.Identity.Mls;

/// <summary>What a commit the Delivery Service followed changed: who made it, who it added and who it removed.</summary>
internal sealed record AppliedCommit(LeafIndex Committer, IReadOnlyList<AddedMember> Added, IReadOnlyList<RemovedMember> Removed);
