namespace Ockam.Identity.Mls;

/// <summary>
/// A ratchet tree in its wire form, <c>optional&lt;Node&gt; ratchet_tree&lt;V&gt;</c> (RFC 9420 §12.4.3.3): the nodes in
/// array order (§4.1), null for a blank node. Decoding checks the shape the wire form promises — each node is a leaf
/// at an even index and a parent at an odd one, the list ends with a leaf (so it spans whole leaves), and that leaf
/// is not blank, since the sender strips trailing blank nodes. What the nodes say (keys, hashes, signatures) is the
/// tree layer's to validate.
/// </summary>
internal sealed class RatchetTree
{
    public RatchetTree(IReadOnlyList<Node?> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Nodes = nodes;
    }

    /// <summary>The nodes by <see cref="NodeIndex"/>; null where blank.</summary>
    public IReadOnlyList<Node?> Nodes { get; }

    public static RatchetTree Decode(ReadOnlySpan<byte> encoded) => MlsReader.DecodeExact(encoded, Read);

    public static RatchetTree Read(ref MlsReader reader)
    {
        var start = reader.Position;
        var nodes = reader.ReadVector(MlsLimits.MaxTreeBytes, static (ref MlsReader r) => r.ReadOptional(Node.Read));
        if (nodes.Count % 2 == 0)
        {
            // Also catches the empty tree: a tree has at least one leaf.
            throw reader.Error(start, $"MLS ratchet tree of {nodes.Count} nodes does not end with a leaf");
        }

        if (nodes[^1] is null)
        {
            throw reader.Error(start, "MLS ratchet tree ends with a blank node");
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            var expected = i % 2 == 0 ? NodeType.Leaf : NodeType.Parent;
            if (nodes[i] is { } node && node.NodeType != expected)
            {
                throw reader.Error(start, $"MLS ratchet tree node {i} is a {node.NodeType} node, not a {expected} node");
            }
        }

        return new RatchetTree(nodes);
    }

    public byte[] Encode() => MlsWriter.Encode(Write);

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(Nodes, static (w, n) => w.WriteOptional(n, static (w2, n2) => n2.Write(w2)));
    }
}
