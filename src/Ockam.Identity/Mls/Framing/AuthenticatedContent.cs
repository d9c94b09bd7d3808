using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// Content with the proof of who sent it, whichever wire format carried it (RFC 9420 §6):
/// <code>
/// struct {
///     WireFormat wire_format;
///     FramedContent content;
///     FramedContentAuthData auth;
/// } AuthenticatedContent;
/// </code>
/// The signature is SignWithLabel(., "FramedContentTBS", FramedContentTBS) (§6.1), so it binds the wire format
/// too: content signed for a PublicMessage does not verify inside a PrivateMessage, or the other way round.
/// </summary>
internal sealed class AuthenticatedContent
{
    private const string SignatureLabel = "FramedContentTBS";

    public AuthenticatedContent(WireFormat wireFormat, FramedContent content, FramedContentAuthData auth)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(auth);
        if (wireFormat is not (WireFormat.PublicMessage or WireFormat.PrivateMessage))
        {
            throw new ArgumentException($"content is framed as a PublicMessage or a PrivateMessage, not {wireFormat}", nameof(wireFormat));
        }

        if ((content.ContentType == ContentType.Commit) != auth.ConfirmationTag.HasValue)
        {
            throw new ArgumentException($"{content.ContentType} content has {(auth.ConfirmationTag.HasValue ? "a" : "no")} confirmation tag", nameof(auth));
        }

        WireFormat = wireFormat;
        Content = content;
        Auth = auth;
    }

    public WireFormat WireFormat { get; }

    public FramedContent Content { get; }

    public FramedContentAuthData Auth { get; }

    /// <summary>
    /// Signs <paramref name="content"/> for <paramref name="wireFormat"/> with <paramref name="signatureKey"/>, over
    /// <paramref name="groupContext"/> (the encoded GroupContext of the content's epoch) when the sender signs one
    /// (<see cref="Sender.SignsGroupContext"/>, empty otherwise). A commit carries its <paramref name="confirmationTag"/>,
    /// other content none.
    /// </summary>
    public static AuthenticatedContent Sign(IVault vault, KeyHandle signatureKey, WireFormat wireFormat, FramedContent content, ReadOnlySpan<byte> groupContext, ReadOnlyMemory<byte>? confirmationTag)
    {
        ArgumentNullException.ThrowIfNull(content);
        var signature = LabeledSignature.SignWithLabel(vault, signatureKey, SignatureLabel, content.EncodeTbs(wireFormat, groupContext));
        return new AuthenticatedContent(wireFormat, content, new FramedContentAuthData(signature, confirmationTag));
    }

    /// <summary>Checks the signature against the sender's <paramref name="signaturePublicKey"/>, over <paramref name="groupContext"/> as for <see cref="Sign"/>.</summary>
    /// <exception cref="MlsCryptoException">The signature does not verify.</exception>
    public void VerifySignature(IVault vault, ReadOnlySpan<byte> signaturePublicKey, ReadOnlySpan<byte> groupContext)
    {
        if (!LabeledSignature.VerifyWithLabel(vault, signaturePublicKey, SignatureLabel, Content.EncodeTbs(WireFormat, groupContext), Auth.Signature.Span))
        {
            throw new MlsCryptoException($"the signature of the {Content.ContentType} content from {Content.Sender.SenderType} sender {Content.Sender.Index} does not verify");
        }
    }

    /// <summary>
    /// The encoded AuthenticatedContentTBM (§6.2) that a member's membership tag is the MAC of:
    /// <code>
    /// struct {
    ///   FramedContentTBS content_tbs;
    ///   FramedContentAuthData auth;
    /// } AuthenticatedContentTBM;
    /// </code>
    /// </summary>
    public byte[] EncodeTbm(ReadOnlySpan<byte> groupContext)
    {
        var writer = new MlsWriter();
        writer.WriteFixed(Content.EncodeTbs(WireFormat, groupContext));
        Auth.Write(writer, Content.ContentType);
        return writer.ToArray();
    }

    /// <summary>The encoded AuthenticatedContent, whose prefix up to the signature the confirmed transcript hash covers (§8.2).</summary>
    public byte[] Encode()
    {
        var writer = new MlsWriter();
        writer.WriteUInt16((ushort)WireFormat);
        Content.Write(writer);
        Auth.Write(writer, Content.ContentType);
        return writer.ToArray();
    }
}
