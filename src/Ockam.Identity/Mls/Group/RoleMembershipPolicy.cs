using Ockam.Identity.Encoding;

namespace Ockam.Identity.Mls;

/// <summary>
/// Only admins change the group: an Add, Remove or GroupContextExtensions needs both its committer and its proposer
/// to name an admin of the <see cref="GroupRoles"/> in force (the epoch's, never the ones the commit proposes, so a
/// member cannot make itself admin in the commit that uses the role). Updates and paths — a member renewing its own
/// keys — need no role. A change of extensions must leave the group with well-formed roles naming at least one admin,
/// or no one could change it again. A group whose extensions hold no roles (or malformed ones) has no admin: its
/// membership is frozen.
/// </summary>
internal sealed class RoleMembershipPolicy : IMembershipPolicy
{
    public static RoleMembershipPolicy Instance { get; } = new();

    private RoleMembershipPolicy()
    {
    }

    public bool MayAdd(MembershipChange change, KeyPackage keyPackage) => ByAdmins(change);

    public bool MayRemove(MembershipChange change, LeafIndex removed, LeafNode removedLeaf) => ByAdmins(change);

    public bool MayChangeExtensions(MembershipChange change, IReadOnlyList<Extension> proposed)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        return ByAdmins(change) && Roles(proposed) is not null;
    }

    private static bool ByAdmins(MembershipChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Roles(change.Extensions) is { } roles && roles.IsAdmin(change.CommitterLeaf) && roles.IsAdmin(change.ProposerLeaf);
    }

    private static GroupRoles? Roles(IReadOnlyList<Extension> extensions)
    {
        try
        {
            return GroupRoles.Of(extensions);
        }
        catch (OckamDecodeException)
        {
            return null;
        }
    }
}
