namespace Ockam.Identity.Mls;

/// <summary>
/// The plaintext of a PrivateMessage's ciphertext (RFC 9420 §6.3.1):
/// <code>
/// struct {
///     select (PrivateMessage.content_type) {
///         case application: opaque application_data&lt;V&gt;;
///         case proposal:    Proposal proposal;
///         case commit:      Commit commit;
///     };
///     FramedContentAuthData auth;
///     opaque padding[length_of_padding];
/// } PrivateMessageContent;
/// </code>
/// The padding is zeros, and a plaintext with any other byte in it is malformed: padding that a sender could fill
/// at will would be a covert channel.
/// </summary>
internal static class PrivateMessageContent
{
    /// <summary>The plaintext of <paramref name="content"/>'s body and <paramref name="auth"/>, followed by <paramref name="paddingLength"/> zero bytes.</summary>
    public static byte[] Encode(FramedContent content, FramedContentAuthData auth, int paddingLength)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentOutOfRangeException.ThrowIfNegative(paddingLength);
        var writer = new MlsWriter();
        switch (content.ContentType)
        {
            case ContentType.Application:
                writer.WriteVector(content.ApplicationData.Span);
                break;
            case ContentType.Proposal:
                content.Proposal!.Write(writer);
                break;
            default:
                content.Commit!.Write(writer);
                break;
        }

        auth.Write(writer, content.ContentType);
        writer.WriteFixed(new byte[paddingLength]);
        return writer.ToArray();
    }

    /// <summary>
    /// The FramedContent and auth data a <paramref name="plaintext"/> of <paramref name="message"/>'s content type
    /// holds, framed with the message's clear fields and <paramref name="sender"/>.
    /// </summary>
    /// <exception cref="Encoding.OckamDecodeException">The plaintext is malformed, or its padding is not all zeros.</exception>
    public static (FramedContent Content, FramedContentAuthData Auth) Decode(ReadOnlySpan<byte> plaintext, PrivateMessage message, Sender sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(sender);
        var reader = new MlsReader(plaintext);
        var content = message.ContentType switch
        {
            ContentType.Application => FramedContent.Application(message.GroupId, message.Epoch, sender, message.AuthenticatedData, reader.ReadVectorBytes(MlsLimits.MaxFrameBytes)),
            ContentType.Proposal => FramedContent.OfProposal(message.GroupId, message.Epoch, sender, message.AuthenticatedData, Proposal.Read(ref reader)),
            _ => FramedContent.OfCommit(message.GroupId, message.Epoch, sender, message.AuthenticatedData, Commit.Read(ref reader)),
        };
        var auth = FramedContentAuthData.Read(ref reader, message.ContentType);
        var paddingAt = reader.Position;
        var padding = reader.ReadFixed(reader.Remaining);
        var nonZero = padding.IndexOfAnyExcept((byte)0);
        if (nonZero >= 0)
        {
            throw reader.Error(paddingAt + nonZero, "PrivateMessageContent padding has a non-zero byte");
        }

        return (content, auth);
    }
}
