namespace Ockam.Identity.Mls;

/// <summary><c>struct { LeafNode leaf_node; UpdatePathNode nodes&lt;V&gt;; } UpdatePath;</c> (RFC 9420 §7.6).</summary>
internal sealed class UpdatePath
{
    public UpdatePath(LeafNode leafNode, IReadOnlyList<UpdatePathNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(leafNode);
        ArgumentNullException.ThrowIfNull(nodes);
        LeafNode = leafNode;
        Nodes = nodes;
    }

    public LeafNode LeafNode { get; }

    public IReadOnlyList<UpdatePathNode> Nodes { get; }

    public static UpdatePath Read(ref MlsReader reader)
    {
        var leafNode = LeafNode.Read(ref reader);
        return new UpdatePath(leafNode, reader.ReadVector(MlsLimits.MaxTreeBytes, UpdatePathNode.Read));
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        LeafNode.Write(writer);
        writer.WriteVector(Nodes, static (w, n) => n.Write(w));
    }
}
