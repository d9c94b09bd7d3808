namespace Ockam.Identity.Mls;

/// <summary>The default membership policy: any member may add and remove, as RFC 9420 itself allows.</summary>
internal sealed class AllowAllMembershipPolicy : IMembershipPolicy
{
    public static AllowAllMembershipPolicy Instance { get; } = new();

    private AllowAllMembershipPolicy()
    {
    }

    public bool MayAdd(LeafIndex committer, KeyPackage keyPackage) => true;

    public bool MayRemove(LeafIndex committer, LeafIndex removed, LeafNode removedLeaf) => true;
}
