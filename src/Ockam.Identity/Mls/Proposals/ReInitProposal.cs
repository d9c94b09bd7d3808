namespace Ockam.Identity.Mls;

/// <summary>
/// <c>struct { opaque group_id&lt;V&gt;; ProtocolVersion version; CipherSuite cipher_suite; Extension extensions&lt;V&gt;; } ReInit;</c>
/// (RFC 9420 §12.1.5). The cipher suite is kept as its wire value: the group is re-initialised with it, or refused, later.
/// </summary>
internal sealed class ReInitProposal : IProposalBody
{
    public ReInitProposal(ReadOnlyMemory<byte> groupId, ProtocolVersion version, ushort cipherSuite, IReadOnlyList<Extension> extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        GroupId = groupId;
        Version = version;
        CipherSuite = cipherSuite;
        Extensions = extensions;
    }

    public ProposalType ProposalType => ProposalType.ReInit;

    public ReadOnlyMemory<byte> GroupId { get; }

    public ProtocolVersion Version { get; }

    public ushort CipherSuite { get; }

    public IReadOnlyList<Extension> Extensions { get; }

    public static ReInitProposal Read(ref MlsReader reader)
    {
        var groupId = reader.ReadVectorBytes(MlsLimits.MaxIdentifierBytes);
        var version = (ProtocolVersion)reader.ReadUInt16();
        var cipherSuite = reader.ReadUInt16();
        return new ReInitProposal(groupId, version, cipherSuite, Extension.ReadList(ref reader, MlsLimits.MaxTreeBytes));
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(GroupId.Span);
        writer.WriteUInt16((ushort)Version);
        writer.WriteUInt16(CipherSuite);
        Extension.WriteList(writer, Extensions);
    }
}
