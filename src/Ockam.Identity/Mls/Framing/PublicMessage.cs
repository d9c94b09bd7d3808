namespace Ockam.Identity.Mls;

/// <summary>
/// A signed, unencrypted message (RFC 9420 §6.2):
/// <code>
/// struct {
///     FramedContent content;
///     FramedContentAuthData auth;
///     select (PublicMessage.content.sender.sender_type) {
///         case member: MAC membership_tag;
///         case external:
///         case new_member_commit:
///         case new_member_proposal: struct{};
///     };
/// } PublicMessage;
/// </code>
/// </summary>
internal sealed class PublicMessage
{
    public PublicMessage(FramedContent content, FramedContentAuthData auth, ReadOnlyMemory<byte>? membershipTag)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(auth);
        if ((content.Sender.SenderType == SenderType.Member) != membershipTag.HasValue)
        {
            throw new ArgumentException("a public message has a membership tag exactly when its sender is a member", nameof(membershipTag));
        }

        Content = content;
        Auth = auth;
        MembershipTag = membershipTag;
    }

    public FramedContent Content { get; }

    public FramedContentAuthData Auth { get; }

    /// <summary>The membership tag (a MAC, opaque&lt;V&gt;), for a member sender; null otherwise.</summary>
    public ReadOnlyMemory<byte>? MembershipTag { get; }

    public static PublicMessage Read(ref MlsReader reader)
    {
        var content = FramedContent.Read(ref reader);
        var auth = FramedContentAuthData.Read(ref reader, content.ContentType);
        // The null is typed: an untyped one would convert, through byte[], to a present empty tag.
        ReadOnlyMemory<byte>? membershipTag = content.Sender.SenderType == SenderType.Member ? reader.ReadVectorBytes(MlsLimits.MaxKeyBytes) : (ReadOnlyMemory<byte>?)null;
        return new PublicMessage(content, auth, membershipTag);
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Content.Write(writer);
        Auth.Write(writer, Content.ContentType);
        if (MembershipTag is { } tag)
        {
            writer.WriteVector(tag.Span);
        }
    }
}
