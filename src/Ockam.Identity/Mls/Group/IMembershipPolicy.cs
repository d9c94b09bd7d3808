namespace Ockam.Identity.Mls;

/// <summary>
/// Who may change a group's membership and extensions: asked for every Add, Remove and GroupContextExtensions
/// proposal a commit carries, with the committer who makes the change take effect and the member who proposed it
/// (the committer itself for a proposal sent by value). A refusal rejects the whole commit
/// (<see cref="MlsGroupError.Unauthorized"/>).
/// </summary>
internal interface IMembershipPolicy
{
    /// <summary>True when <paramref name="change"/>'s committer and proposer may add the client of <paramref name="keyPackage"/>.</summary>
    bool MayAdd(MembershipChange change, KeyPackage keyPackage);

    /// <summary>True when they may remove the member at <paramref name="removed"/>, whose leaf is <paramref name="removedLeaf"/>.</summary>
    bool MayRemove(MembershipChange change, LeafIndex removed, LeafNode removedLeaf);

    /// <summary>True when they may replace the group's extensions by <paramref name="proposed"/>.</summary>
    bool MayChangeExtensions(MembershipChange change, IReadOnlyList<Extension> proposed);
}
