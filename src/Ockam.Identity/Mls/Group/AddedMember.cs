using Ockam.Identity.Identities;

namespace Ockam.Identity.Mls;

/// <summary>A member a commit added: its leaf, the identifier its credential names (null if none), and its KeyPackageRef (§5.2), which the Welcome names it by.</summary>
internal sealed class AddedMember(LeafIndex leaf, Identifier? identifier, byte[] keyPackageRef)
{
    public LeafIndex Leaf { get; } = leaf;

    public Identifier? Identifier { get; } = identifier;

    public ReadOnlyMemory<byte> KeyPackageRef { get; } = keyPackageRef;
}
