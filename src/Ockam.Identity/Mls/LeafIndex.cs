namespace Ockam.Identity.Mls;

/// <summary>The index of a leaf among the leaves of a ratchet tree (RFC 9420 §4.1): leaf L is node 2L.</summary>
internal readonly record struct LeafIndex(uint Value)
{
    public NodeIndex Node => new(checked(Value * 2));

    public override string ToString() => $"leaf {Value}";
}
