namespace Ockam.Identity.Mls;

/// <summary>
/// Navigating the array representation of a ratchet tree, as in RFC 9420 Appendix C ("Array-Based
/// Trees"). The tree is always full: its number of leaves <c>n</c> is a power of two, and it has
/// <c>node_width(n) = 2n - 1</c> nodes. A node's level is its height: 0 for leaves. Asking for
/// something a node does not have (the children of a leaf, the parent of the root) is a caller's
/// mistake and throws <see cref="ArgumentException"/>.
/// </summary>
internal static class TreeMath
{
    /// <summary>The largest number of leaves a tree may have: its node indices then still fit a uint32.</summary>
    public const uint MaxLeafCount = 1u << 31;

    /// <summary>"The exponent of the largest power of 2 less than x": log2(x), 0 for x = 0.</summary>
    public static int Log2(uint x) => x == 0 ? 0 : 31 - System.Numerics.BitOperations.LeadingZeroCount(x);

    /// <summary>"The level of a node in the tree. Leaves are level 0, their parents are level 1, etc.": the number of trailing 1 bits.</summary>
    public static int Level(NodeIndex x) => System.Numerics.BitOperations.TrailingZeroCount(~x.Value);

    /// <summary>"The number of nodes needed to represent a tree with n leaves": 2(n - 1) + 1, 0 for n = 0.</summary>
    public static uint NodeWidth(uint leafCount) => leafCount == 0 ? 0 : checked((2 * (leafCount - 1)) + 1);

    /// <summary>"The index of the root node of a tree with n leaves".</summary>
    public static NodeIndex Root(uint leafCount)
    {
        CheckLeafCount(leafCount);
        return new NodeIndex((1u << Log2(NodeWidth(leafCount))) - 1);
    }

    /// <summary>"The left child of an intermediate node".</summary>
    public static NodeIndex Left(NodeIndex x)
    {
        var k = Level(x);
        if (k == 0)
        {
            throw new ArgumentException($"{x} is a leaf: it has no children", nameof(x));
        }

        return new NodeIndex(x.Value ^ (1u << (k - 1)));
    }

    /// <summary>"The right child of an intermediate node".</summary>
    public static NodeIndex Right(NodeIndex x)
    {
        var k = Level(x);
        if (k == 0)
        {
            throw new ArgumentException($"{x} is a leaf: it has no children", nameof(x));
        }

        return new NodeIndex(x.Value ^ (3u << (k - 1)));
    }

    /// <summary>"The parent of a node", in a tree of <paramref name="leafCount"/> leaves.</summary>
    public static NodeIndex Parent(NodeIndex x, uint leafCount)
    {
        CheckNode(x, leafCount);
        if (x == Root(leafCount))
        {
            throw new ArgumentException($"{x} is the root of a tree of {leafCount} leaves: it has no parent", nameof(x));
        }

        var k = Level(x);
        var b = (x.Value >> (k + 1)) & 1;
        return new NodeIndex((x.Value | (1u << k)) ^ (b << (k + 1)));
    }

    /// <summary>"The other child of the node's parent".</summary>
    public static NodeIndex Sibling(NodeIndex x, uint leafCount)
    {
        var p = Parent(x, leafCount);
        return x.Value < p.Value ? Right(p) : Left(p);
    }

    /// <summary>
    /// The direct path of a node (RFC 9420 §4.1.2): its parent, its parent's parent, … up to and
    /// including the root. Empty for the root.
    /// </summary>
    public static List<NodeIndex> DirectPath(NodeIndex x, uint leafCount)
    {
        CheckNode(x, leafCount);
        var root = Root(leafCount);
        var path = new List<NodeIndex>(Level(root));
        while (x != root)
        {
            x = Parent(x, leafCount);
            path.Add(x);
        }

        return path;
    }

    /// <summary>
    /// The copath of a node (RFC 9420 §4.1.2): the sibling of the node, then the siblings of each node
    /// of its direct path but the root. Empty for the root.
    /// </summary>
    public static List<NodeIndex> Copath(NodeIndex x, uint leafCount)
    {
        var path = DirectPath(x, leafCount);
        if (path.Count == 0)
        {
            return path;
        }

        path.Insert(0, x);
        path.RemoveAt(path.Count - 1);
        return path.ConvertAll(y => Sibling(y, leafCount));
    }

    /// <summary>
    /// The lowest common ancestor of two nodes (Appendix C, <c>common_ancestor_direct</c>): the
    /// lowest node whose subtree holds both; a node is its own ancestor.
    /// </summary>
    public static NodeIndex CommonAncestor(NodeIndex x, NodeIndex y)
    {
        // Nodes are in the same subtree when their indices agree above that subtree's level.
        var lx = Level(x) + 1;
        var ly = Level(y) + 1;
        if (lx <= ly && (x.Value >> ly) == (y.Value >> ly))
        {
            return y;
        }

        if (ly <= lx && (x.Value >> lx) == (y.Value >> lx))
        {
            return x;
        }

        var xn = x.Value;
        var yn = y.Value;
        var k = 0;
        while (xn != yn)
        {
            xn >>= 1;
            yn >>= 1;
            k++;
        }

        return new NodeIndex((xn << k) + (1u << (k - 1)) - 1);
    }

    private static void CheckLeafCount(uint leafCount)
    {
        if (leafCount == 0 || leafCount > MaxLeafCount || (leafCount & (leafCount - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(leafCount), leafCount, "an MLS tree has a power-of-two number of leaves");
        }
    }

    private static void CheckNode(NodeIndex x, uint leafCount)
    {
        CheckLeafCount(leafCount);
        if (x.Value >= NodeWidth(leafCount))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, $"outside a tree of {leafCount} leaves");
        }
    }
}
