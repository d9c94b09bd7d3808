namespace Ockam.Identity.Mls;

/// <summary>
/// The credential types of a group's members (RFC 9420 §7.3): those in use, and those every member supports. A leaf
/// that enters the group must use a type all members support and support every type in use, so that each member
/// can validate every other's credential.
/// </summary>
internal sealed class CredentialSupport
{
    private readonly HashSet<ushort> inUse = [];
    private readonly HashSet<ushort>? supportedByAll;

    /// <summary>The types of the members of <paramref name="tree"/> except those at <paramref name="leaving"/> (removed or replaced).</summary>
    public CredentialSupport(PublicTree tree, IReadOnlySet<LeafIndex> leaving)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(leaving);
        HashSet<ushort>? all = null;
        foreach (var (index, leaf) in tree.Members())
        {
            if (leaving.Contains(index))
            {
                continue;
            }

            inUse.Add((ushort)leaf.Credential.CredentialType);
            if (all is null)
            {
                all = [.. leaf.Capabilities.Credentials];
            }
            else
            {
                all.IntersectWith(leaf.Capabilities.Credentials);
            }
        }

        // With no other member (a committer removing everyone else), nothing constrains the entering leaf.
        supportedByAll = all;
    }

    /// <summary>True when <paramref name="leaf"/> may join the members: its type is supported by all, and it supports all in use.</summary>
    public bool Admits(LeafNode leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        return (supportedByAll is null || supportedByAll.Contains((ushort)leaf.Credential.CredentialType)) && inUse.All(leaf.Capabilities.Credentials.Contains);
    }
}
