namespace Ockam.Identity.Mls;

/// <summary>
/// An encrypted message (RFC 9420 §6.3):
/// <code>
/// struct {
///     opaque group_id&lt;V&gt;;
///     uint64 epoch;
///     ContentType content_type;
///     opaque authenticated_data&lt;V&gt;;
///     opaque encrypted_sender_data&lt;V&gt;;
///     opaque ciphertext&lt;V&gt;;
/// } PrivateMessage;
/// </code>
/// </summary>
internal sealed class PrivateMessage
{
    public PrivateMessage(ReadOnlyMemory<byte> groupId, ulong epoch, ContentType contentType, ReadOnlyMemory<byte> authenticatedData, ReadOnlyMemory<byte> encryptedSenderData, ReadOnlyMemory<byte> ciphertext)
    {
        GroupId = groupId;
        Epoch = epoch;
        ContentType = contentType;
        AuthenticatedData = authenticatedData;
        EncryptedSenderData = encryptedSenderData;
        Ciphertext = ciphertext;
    }

    public ReadOnlyMemory<byte> GroupId { get; }

    public ulong Epoch { get; }

    public ContentType ContentType { get; }

    public ReadOnlyMemory<byte> AuthenticatedData { get; }

    public ReadOnlyMemory<byte> EncryptedSenderData { get; }

    public ReadOnlyMemory<byte> Ciphertext { get; }

    public static PrivateMessage Read(ref MlsReader reader)
    {
        var groupId = reader.ReadVectorBytes(MlsLimits.MaxIdentifierBytes);
        var epoch = reader.ReadUInt64();
        var typeAt = reader.Position;
        var contentType = (ContentType)reader.ReadUInt8();
        if (contentType is not (ContentType.Application or ContentType.Proposal or ContentType.Commit))
        {
            // The content type is authenticated data of the encryption; a value outside the enum can never decrypt to valid content.
            throw reader.Error(typeAt, $"MLS content type {(byte)contentType} is not application, proposal or commit");
        }

        var authenticatedData = reader.ReadVectorBytes(MlsLimits.MaxFrameBytes);
        var encryptedSenderData = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var ciphertext = reader.ReadVectorBytes(MlsLimits.MaxTreeBytes);
        return new PrivateMessage(groupId, epoch, contentType, authenticatedData, encryptedSenderData, ciphertext);
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(GroupId.Span);
        writer.WriteUInt64(Epoch);
        writer.WriteUInt8((byte)ContentType);
        writer.WriteVector(AuthenticatedData.Span);
        writer.WriteVector(EncryptedSenderData.Span);
        writer.WriteVector(Ciphertext.Span);
    }
}
