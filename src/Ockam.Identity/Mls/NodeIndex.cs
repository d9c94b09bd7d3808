namespace Ockam.Identity.Mls;

/// <summary>
/// The index of a node in the array representation of a ratchet tree (RFC 9420 §4.1 and
/// Appendix C): leaves at even indices, parents at odd ones.
/// </summary>
internal readonly record struct NodeIndex(uint Value)
{
    public bool IsLeaf => (Value & 1) == 0;

    public override string ToString() => $"node {Value}";
}
