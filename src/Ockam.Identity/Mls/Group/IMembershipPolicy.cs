namespace Ockam.Identity.Mls;

/// <summary>
/// Who may change a group's membership: asked for every Add and Remove a commit carries, with the committer who
/// makes the change take effect. A refusal rejects the whole commit (<see cref="MlsGroupError.Unauthorized"/>).
/// </summary>
internal interface IMembershipPolicy
{
    /// <summary>True when <paramref name="committer"/> may add the client of <paramref name="keyPackage"/>.</summary>
    bool MayAdd(LeafIndex committer, KeyPackage keyPackage);

    /// <summary>True when <paramref name="committer"/> may remove the member at <paramref name="removed"/>, whose leaf is <paramref name="removedLeaf"/>.</summary>
    bool MayRemove(LeafIndex committer, LeafIndex removed, LeafNode removedLeaf);
}
