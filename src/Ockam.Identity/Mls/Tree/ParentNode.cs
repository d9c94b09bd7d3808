namespace Ockam.Identity.Mls;

/// <summary>
/// An interior node of the ratchet tree (RFC 9420 §7.1):
/// <code>
/// struct {
///     HPKEPublicKey encryption_key;
///     opaque parent_hash&lt;V&gt;;
///     uint32 unmerged_leaves&lt;V&gt;;
/// } ParentNode;
/// </code>
/// </summary>
internal sealed class ParentNode
{
    public ParentNode(ReadOnlyMemory<byte> encryptionKey, ReadOnlyMemory<byte> parentHash, IReadOnlyList<LeafIndex> unmergedLeaves)
    {
        ArgumentNullException.ThrowIfNull(unmergedLeaves);
        EncryptionKey = encryptionKey;
        ParentHash = parentHash;
        UnmergedLeaves = unmergedLeaves;
    }

    public ReadOnlyMemory<byte> EncryptionKey { get; }

    public ReadOnlyMemory<byte> ParentHash { get; }

    public IReadOnlyList<LeafIndex> UnmergedLeaves { get; }

    public static ParentNode Read(ref MlsReader reader)
    {
        var encryptionKey = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var parentHash = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var unmerged = reader.ReadVector(MlsLimits.MaxTreeBytes, static (ref MlsReader r) => new LeafIndex(r.ReadUInt32()));
        return new ParentNode(encryptionKey, parentHash, unmerged);
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(EncryptionKey.Span);
        writer.WriteVector(ParentHash.Span);
        writer.WriteVector(UnmergedLeaves, static (w, l) => w.WriteUInt32(l.Value));
    }
}
