namespace Ockam.Identity.Mls;

/// <summary>
/// A non-blank node of the ratchet tree (RFC 9420 §7.8):
/// <code>
/// struct {
///     NodeType node_type;
///     select (Node.node_type) {
///         case leaf:   LeafNode leaf_node;
///         case parent: ParentNode parent_node;
///     };
/// } Node;
/// </code>
/// Exactly one of <see cref="Leaf"/> and <see cref="Parent"/> is set.
/// </summary>
internal sealed class Node
{
    private Node(LeafNode? leaf, ParentNode? parent)
    {
        Leaf = leaf;
        Parent = parent;
    }

    public NodeType NodeType => Leaf is not null ? NodeType.Leaf : NodeType.Parent;

    public LeafNode? Leaf { get; }

    public ParentNode? Parent { get; }

    public static Node FromLeaf(LeafNode leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        return new Node(leaf, null);
    }

    public static Node FromParent(ParentNode parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return new Node(null, parent);
    }

    public static Node Read(ref MlsReader reader)
    {
        var start = reader.Position;
        return (NodeType)reader.ReadUInt8() switch
        {
            NodeType.Leaf => FromLeaf(LeafNode.Read(ref reader)),
            NodeType.Parent => FromParent(ParentNode.Read(ref reader)),
            var other => throw reader.Error(start, $"MLS node type {(byte)other} is not leaf or parent"),
        };
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8((byte)NodeType);
        if (Leaf is not null)
        {
            Leaf.Write(writer);
        }
        else
        {
            Parent!.Write(writer);
        }
    }
}
