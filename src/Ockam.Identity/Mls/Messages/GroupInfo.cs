using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// What a joiner needs to know about the group it joins (RFC 9420 §12.4.3):
/// <code>
/// struct {
///     GroupContext group_context;
///     Extension extensions&lt;V&gt;;
///     MAC confirmation_tag;
///     uint32 signer;
///     /* SignWithLabel(., "GroupInfoTBS", GroupInfoTBS) */
///     opaque signature&lt;V&gt;;
/// } GroupInfo;
/// </code>
/// Its extensions may carry the whole ratchet tree, so they are bounded as a tree is.
/// </summary>
internal sealed class GroupInfo
{
    /// <summary>The label of the GroupInfo's signature.</summary>
    public const string SignatureLabel = "GroupInfoTBS";

    public GroupInfo(GroupContext groupContext, IReadOnlyList<Extension> extensions, ReadOnlyMemory<byte> confirmationTag, LeafIndex signer, ReadOnlyMemory<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(groupContext);
        ArgumentNullException.ThrowIfNull(extensions);
        GroupContext = groupContext;
        Extensions = extensions;
        ConfirmationTag = confirmationTag;
        Signer = signer;
        Signature = signature;
    }

    public GroupContext GroupContext { get; }

    public IReadOnlyList<Extension> Extensions { get; }

    public ReadOnlyMemory<byte> ConfirmationTag { get; }

    /// <summary>The leaf of the member who signed.</summary>
    public LeafIndex Signer { get; }

    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>A GroupInfo signed under <see cref="SignatureLabel"/> by <paramref name="signer"/> with its <paramref name="signatureKey"/>.</summary>
    public static GroupInfo Sign(IVault vault, KeyHandle signatureKey, GroupContext groupContext, IReadOnlyList<Extension> extensions, ReadOnlyMemory<byte> confirmationTag, LeafIndex signer)
    {
        var unsigned = new GroupInfo(groupContext, extensions, confirmationTag, signer, ReadOnlyMemory<byte>.Empty);
        var signature = LabeledSignature.SignWithLabel(vault, signatureKey, SignatureLabel, unsigned.EncodeTbs());
        return new GroupInfo(groupContext, extensions, confirmationTag, signer, signature);
    }

    /// <summary>Checks <see cref="Signature"/> against <paramref name="signerKey"/>, the signature key of <see cref="Signer"/>'s leaf.</summary>
    /// <exception cref="MlsCryptoException">It does not verify.</exception>
    public void VerifySignature(IVault vault, ReadOnlySpan<byte> signerKey)
    {
        if (!LabeledSignature.VerifyWithLabel(vault, signerKey, SignatureLabel, EncodeTbs(), Signature.Span))
        {
            throw new MlsCryptoException($"the GroupInfo's signature does not verify under the key of its signer, {Signer}");
        }
    }

    public static GroupInfo Decode(ReadOnlySpan<byte> encoded) => MlsReader.DecodeExact(encoded, Read);

    public static GroupInfo Read(ref MlsReader reader)
    {
        var groupContext = GroupContext.Read(ref reader);
        var extensions = Extension.ReadList(ref reader, MlsLimits.MaxTreeBytes);
        var confirmationTag = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var signer = new LeafIndex(reader.ReadUInt32());
        return new GroupInfo(groupContext, extensions, confirmationTag, signer, reader.ReadVectorBytes(MlsLimits.MaxKeyBytes));
    }

    public byte[] Encode() => MlsWriter.Encode(Write);

    public void Write(MlsWriter writer)
    {
        WriteTbs(writer);
        writer.WriteVector(Signature.Span);
    }

    /// <summary>The encoded GroupInfoTBS (every field but the signature), which <see cref="Signature"/> signs under <see cref="SignatureLabel"/>.</summary>
    public byte[] EncodeTbs() => MlsWriter.Encode(WriteTbs);

    private void WriteTbs(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        GroupContext.Write(writer);
        Extension.WriteList(writer, Extensions);
        writer.WriteVector(ConfirmationTag.Span);
        writer.WriteUInt32(Signer.Value);
    }
}
