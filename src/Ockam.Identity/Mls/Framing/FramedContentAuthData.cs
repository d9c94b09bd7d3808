namespace Ockam.Identity.Mls;

/// <summary>
/// <code>
/// struct {
///     opaque signature&lt;V&gt;;
///     select (FramedContent.content_type) {
///         case commit: MAC confirmation_tag;
///         case application:
///         case proposal: struct{};
///     };
/// } FramedContentAuthData;
/// </code>
/// (RFC 9420 §6.1). Its shape depends on the content it authenticates, so it is read given that content's type.
/// </summary>
internal sealed class FramedContentAuthData
{
    public FramedContentAuthData(ReadOnlyMemory<byte> signature, ReadOnlyMemory<byte>? confirmationTag)
    {
        Signature = signature;
        ConfirmationTag = confirmationTag;
    }

    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>The confirmation tag (a MAC, opaque&lt;V&gt;), for a commit; null otherwise.</summary>
    public ReadOnlyMemory<byte>? ConfirmationTag { get; }

    public static FramedContentAuthData Read(ref MlsReader reader, ContentType contentType)
    {
        var signature = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        // The null is typed: an untyped one would convert, through byte[], to a present empty tag.
        ReadOnlyMemory<byte>? confirmationTag = contentType == ContentType.Commit ? reader.ReadVectorBytes(MlsLimits.MaxKeyBytes) : (ReadOnlyMemory<byte>?)null;
        return new FramedContentAuthData(signature, confirmationTag);
    }

    /// <summary>Writes the auth data of content of <paramref name="contentType"/>, which must agree with whether there is a confirmation tag.</summary>
    public void Write(MlsWriter writer, ContentType contentType)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if ((contentType == ContentType.Commit) != ConfirmationTag.HasValue)
        {
            throw new InvalidOperationException($"{contentType} content has {(ConfirmationTag.HasValue ? "a" : "no")} confirmation tag");
        }

        writer.WriteVector(Signature.Span);
        if (ConfirmationTag is { } tag)
        {
            writer.WriteVector(tag.Span);
        }
    }
}
