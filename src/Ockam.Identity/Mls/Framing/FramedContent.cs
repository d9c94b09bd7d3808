namespace Ockam.Identity.Mls;

/// <summary>
/// The content of a handshake or application message, before signing or encryption (RFC 9420 §6):
/// <code>
/// struct {
///     opaque group_id&lt;V&gt;;
///     uint64 epoch;
///     Sender sender;
///     opaque authenticated_data&lt;V&gt;;
///     ContentType content_type;
///     select (FramedContent.content_type) {
///         case application: opaque application_data&lt;V&gt;;
///         case proposal:    Proposal proposal;
///         case commit:      Commit commit;
///     };
/// } FramedContent;
/// </code>
/// Exactly the field of <see cref="ContentType"/> is set: <see cref="ApplicationData"/>, <see cref="Proposal"/> or <see cref="Commit"/>.
/// </summary>
internal sealed class FramedContent
{
    private FramedContent(ReadOnlyMemory<byte> groupId, ulong epoch, Sender sender, ReadOnlyMemory<byte> authenticatedData, ContentType contentType, ReadOnlyMemory<byte> applicationData, Proposal? proposal, Commit? commit)
    {
        ArgumentNullException.ThrowIfNull(sender);
        GroupId = groupId;
        Epoch = epoch;
        Sender = sender;
        AuthenticatedData = authenticatedData;
        ContentType = contentType;
        ApplicationData = applicationData;
        Proposal = proposal;
        Commit = commit;
    }

    public ReadOnlyMemory<byte> GroupId { get; }

    public ulong Epoch { get; }

    public Sender Sender { get; }

    public ReadOnlyMemory<byte> AuthenticatedData { get; }

    public ContentType ContentType { get; }

    /// <summary>application_data, for application content; empty otherwise.</summary>
    public ReadOnlyMemory<byte> ApplicationData { get; }

    public Proposal? Proposal { get; }

    public Commit? Commit { get; }

    public static FramedContent Application(ReadOnlyMemory<byte> groupId, ulong epoch, Sender sender, ReadOnlyMemory<byte> authenticatedData, ReadOnlyMemory<byte> applicationData) =>
        new(groupId, epoch, sender, authenticatedData, ContentType.Application, applicationData, null, null);

    public static FramedContent OfProposal(ReadOnlyMemory<byte> groupId, ulong epoch, Sender sender, ReadOnlyMemory<byte> authenticatedData, Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        return new(groupId, epoch, sender, authenticatedData, ContentType.Proposal, ReadOnlyMemory<byte>.Empty, proposal, null);
    }

    public static FramedContent OfCommit(ReadOnlyMemory<byte> groupId, ulong epoch, Sender sender, ReadOnlyMemory<byte> authenticatedData, Commit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        return new(groupId, epoch, sender, authenticatedData, ContentType.Commit, ReadOnlyMemory<byte>.Empty, null, commit);
    }

    public static FramedContent Read(ref MlsReader reader)
    {
        var groupId = reader.ReadVectorBytes(MlsLimits.MaxIdentifierBytes);
        var epoch = reader.ReadUInt64();
        var sender = Sender.Read(ref reader);
        var authenticatedData = reader.ReadVectorBytes(MlsLimits.MaxFrameBytes);
        var typeAt = reader.Position;
        return (ContentType)reader.ReadUInt8() switch
        {
            ContentType.Application => Application(groupId, epoch, sender, authenticatedData, reader.ReadVectorBytes(MlsLimits.MaxFrameBytes)),
            ContentType.Proposal => OfProposal(groupId, epoch, sender, authenticatedData, Proposal.Read(ref reader)),
            ContentType.Commit => OfCommit(groupId, epoch, sender, authenticatedData, Commit.Read(ref reader)),
            var other => throw reader.Error(typeAt, $"MLS content type {(byte)other} is not application, proposal or commit"),
        };
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(GroupId.Span);
        writer.WriteUInt64(Epoch);
        Sender.Write(writer);
        writer.WriteVector(AuthenticatedData.Span);
        writer.WriteUInt8((byte)ContentType);
        switch (ContentType)
        {
            case ContentType.Application:
                writer.WriteVector(ApplicationData.Span);
                break;
            case ContentType.Proposal:
                Proposal!.Write(writer);
                break;
            default:
                Commit!.Write(writer);
                break;
        }
    }

    /// <summary>
    /// The encoded FramedContentTBS (§6.1) that the sender signs under "FramedContentTBS":
    /// <code>
    /// struct {
    ///     ProtocolVersion version = mls10;
    ///     WireFormat wire_format;
    ///     FramedContent content;
    ///     select (FramedContentTBS.content.sender.sender_type) {
    ///         case member:
    ///         case new_member_commit: GroupContext context;
    ///         case external:
    ///         case new_member_proposal: struct{};
    ///     };
    /// } FramedContentTBS;
    /// </code>
    /// <paramref name="groupContext"/> is the encoded GroupContext (<see cref="GroupContext.Encode"/>) of the
    /// content's epoch, required when the sender <see cref="Sender.SignsGroupContext"/> and refused otherwise, so
    /// that a caller cannot sign over a context the receiver will not include.
    /// </summary>
    public byte[] EncodeTbs(WireFormat wireFormat, ReadOnlySpan<byte> groupContext)
    {
        if (Sender.SignsGroupContext == groupContext.IsEmpty)
        {
            throw new ArgumentException(
                Sender.SignsGroupContext
                    ? $"a {Sender.SenderType} sender signs over the group context, and none was given"
                    : $"a {Sender.SenderType} sender does not sign over the group context",
                nameof(groupContext));
        }

        var writer = new MlsWriter();
        writer.WriteUInt16((ushort)ProtocolVersion.Mls10);
        writer.WriteUInt16((ushort)wireFormat);
        Write(writer);
        writer.WriteFixed(groupContext);
        return writer.ToArray();
    }
}
