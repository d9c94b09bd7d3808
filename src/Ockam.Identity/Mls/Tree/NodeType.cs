namespace Ockam.Identity.Mls;

/// <summary><c>enum { reserved(0), leaf(1), parent(2), (255) } NodeType;</c> (RFC 9420 §7.8).</summary>
internal enum NodeType : byte
{
    Leaf = 1,
    Parent = 2,
}
