using System.Text.Json;
using Ockam.Identity.Mls;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors tree-math.json (RFC 9420 Appendix C): for each tree size, its root and,
/// for every node, its left and right children, parent and sibling, null where undefined.
/// </summary>
public sealed class TreeMathVectorTests
{
    private const int VectorCases = 10;

    [Fact]
    public void All_10_tree_sizes_of_the_vectors_agree_node_by_node()
    {
        using var document = TestVectors.Load("mls/tree-math.json");
        var passed = 0;
        var nodesChecked = 0;
        foreach (var vector in document.RootElement.EnumerateArray())
        {
            var n = vector.GetProperty("n_leaves").GetUInt32();
            var width = vector.GetProperty("n_nodes").GetUInt32();
            Assert.Equal(width, TreeMath.NodeWidth(n));
            Assert.Equal(vector.GetProperty("root").GetUInt32(), TreeMath.Root(n).Value);

            var left = vector.GetProperty("left");
            var right = vector.GetProperty("right");
            var parent = vector.GetProperty("parent");
            var sibling = vector.GetProperty("sibling");
            Assert.Equal((int)width, left.GetArrayLength());
            Assert.Equal((int)width, right.GetArrayLength());
            Assert.Equal((int)width, parent.GetArrayLength());
            Assert.Equal((int)width, sibling.GetArrayLength());

            for (var i = 0u; i < width; i++)
            {
                var x = new NodeIndex(i);
                Check(left[(int)i], () => TreeMath.Left(x), $"left({i}) in {n} leaves");
                Check(right[(int)i], () => TreeMath.Right(x), $"right({i}) in {n} leaves");
                Check(parent[(int)i], () => TreeMath.Parent(x, n), $"parent({i}) in {n} leaves");
                Check(sibling[(int)i], () => TreeMath.Sibling(x, n), $"sibling({i}) in {n} leaves");
                nodesChecked++;
            }

            passed++;
        }

        Assert.Equal(VectorCases, passed);
        Assert.Equal(1 + 3 + 7 + 15 + 31 + 63 + 127 + 255 + 511 + 1023, nodesChecked);
    }

    [Fact]
    public void Direct_path_copath_and_common_ancestor_agree_with_parent_and_sibling()
    {
        for (var n = 1u; n <= 64; n *= 2)
        {
            var root = TreeMath.Root(n);
            for (var i = 0u; i < TreeMath.NodeWidth(n); i++)
            {
                var x = new NodeIndex(i);
                var path = TreeMath.DirectPath(x, n);
                var copath = TreeMath.Copath(x, n);
                Assert.Equal(path.Count, copath.Count);
                Assert.Equal(TreeMath.Level(root) - TreeMath.Level(x), path.Count);
                var below = x;
                for (var k = 0; k < path.Count; k++)
                {
                    Assert.Equal(TreeMath.Parent(below, n), path[k]);
                    Assert.Equal(TreeMath.Sibling(below, n), copath[k]);
                    below = path[k];
                }

                Assert.Equal(root, below);
                for (var j = 0u; j < TreeMath.NodeWidth(n); j++)
                {
                    var y = new NodeIndex(j);
                    Assert.Equal(LowestCommon(x, y, n), TreeMath.CommonAncestor(x, y));
                }
            }
        }
    }

    [Fact]
    public void Leaves_have_no_children_the_root_no_parent_and_trees_are_full()
    {
        Assert.Throws<ArgumentException>(() => TreeMath.Left(new NodeIndex(4)));
        Assert.Throws<ArgumentException>(() => TreeMath.Right(new LeafIndex(3).Node));
        Assert.Throws<ArgumentException>(() => TreeMath.Parent(new NodeIndex(7), 8));
        Assert.Throws<ArgumentException>(() => TreeMath.Sibling(new NodeIndex(0), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TreeMath.Parent(new NodeIndex(15), 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => TreeMath.Root(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TreeMath.Root(3));
        Assert.Equal(new NodeIndex((1u << 31) - 1), TreeMath.Root(TreeMath.MaxLeafCount));
        Assert.Equal(new NodeIndex(6), new LeafIndex(3).Node);
    }

    // The semantic definition: the first node on x's path to the root (x included) that is also on y's.
    private static NodeIndex LowestCommon(NodeIndex x, NodeIndex y, uint n)
    {
        var ofY = TreeMath.DirectPath(y, n).Prepend(y).ToHashSet();
        return TreeMath.DirectPath(x, n).Prepend(x).First(ofY.Contains);
    }

    private static void Check(JsonElement expected, Func<NodeIndex> actual, string what)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.ThrowsAny<ArgumentException>(() => actual());
        }
        else
        {
            var value = actual();
            Assert.True(expected.GetUInt32() == value.Value, $"{what}: expected {expected.GetUInt32()}, got {value.Value}");
        }
    }
}
