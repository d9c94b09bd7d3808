namespace Ockam.Identity.Mls;

/// <summary>
/// Who sent a message (RFC 9420 §6):
/// <code>
/// struct {
///     SenderType sender_type;
///     select (Sender.sender_type) {
///         case member:   uint32 leaf_index;
///         case external: uint32 sender_index;
///         case new_member_commit:
///         case new_member_proposal:
///             struct{};
///     };
/// } Sender;
/// </code>
/// </summary>
internal sealed class Sender
{
    private Sender(SenderType senderType, uint index)
    {
        SenderType = senderType;
        Index = index;
    }

    public SenderType SenderType { get; }

    /// <summary>leaf_index for a member, the index into the group's external_senders for an external sender; 0 otherwise.</summary>
    public uint Index { get; }

    /// <summary>Whether the sender is a member or a new member's commit: those sign over the group context (§6.1).</summary>
    public bool SignsGroupContext => SenderType is SenderType.Member or SenderType.NewMemberCommit;

    public static Sender Member(LeafIndex leafIndex) => new(SenderType.Member, leafIndex.Value);

    public static Sender External(uint senderIndex) => new(SenderType.External, senderIndex);

    public static Sender NewMemberProposal { get; } = new(SenderType.NewMemberProposal, 0);

    public static Sender NewMemberCommit { get; } = new(SenderType.NewMemberCommit, 0);

    public static Sender Read(ref MlsReader reader)
    {
        var start = reader.Position;
        return (SenderType)reader.ReadUInt8() switch
        {
            SenderType.Member => new(SenderType.Member, reader.ReadUInt32()),
            SenderType.External => new(SenderType.External, reader.ReadUInt32()),
            SenderType.NewMemberProposal => NewMemberProposal,
            SenderType.NewMemberCommit => NewMemberCommit,
            var other => throw reader.Error(start, $"MLS sender type {(byte)other} is not member, external, new_member_proposal or new_member_commit"),
        };
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8((byte)SenderType);
        if (SenderType is SenderType.Member or SenderType.External)
        {
            writer.WriteUInt32(Index);
        }
    }
}
