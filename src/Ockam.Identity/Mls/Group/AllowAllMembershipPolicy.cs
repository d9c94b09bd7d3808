namespace Ockam.Identity.Mls;

/// <summary>The default membership policy: any member may add, remove and change the extensions, as RFC 9420 itself allows.</summary>
internal sealed class AllowAllMembershipPolicy : IMembershipPolicy
{
    public static AllowAllMembershipPolicy Instance { get; } = new();

    private AllowAllMembershipPolicy()
    {
    }

    public bool MayAdd(MembershipChange change, KeyPackage keyPackage) => true;

    public bool MayRemove(MembershipChange change, LeafIndex removed, LeafNode removedLeaf) => true;

    public bool MayChangeExtensions(MembershipChange change, IReadOnlyList<Extension> proposed) => true;
}
