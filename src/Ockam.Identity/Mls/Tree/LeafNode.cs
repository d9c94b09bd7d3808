namespace Ockam.Identity.Mls;

/// <summary>
/// A member's leaf of the ratchet tree (RFC 9420 §7.2):
/// <code>
/// struct {
///     HPKEPublicKey encryption_key;
///     SignaturePublicKey signature_key;
///     Credential credential;
///     Capabilities capabilities;
///     LeafNodeSource leaf_node_source;
///     select (LeafNode.leaf_node_source) {
///         case key_package: Lifetime lifetime;
///         case update:      struct{};
///         case commit:      opaque parent_hash&lt;V&gt;;
///     };
///     Extension extensions&lt;V&gt;;
///     /* SignWithLabel(., "LeafNodeTBS", LeafNodeTBS) */
///     opaque signature&lt;V&gt;;
/// } LeafNode;
/// </code>
/// Keys are kept as read, of any length: their sizes are the cipher suite's to check, not the codec's.
/// </summary>
internal sealed class LeafNode
{
    /// <summary>The label of the leaf node's signature.</summary>
    public const string SignatureLabel = "LeafNodeTBS";

    public LeafNode(
        ReadOnlyMemory<byte> encryptionKey,
        ReadOnlyMemory<byte> signatureKey,
        Credential credential,
        Capabilities capabilities,
        LeafNodeSource leafNodeSource,
        Lifetime? lifetime,
        ReadOnlyMemory<byte> parentHash,
        IReadOnlyList<Extension> extensions,
        ReadOnlyMemory<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(capabilities);
        ArgumentNullException.ThrowIfNull(extensions);
        if ((leafNodeSource == LeafNodeSource.KeyPackage) != (lifetime is not null))
        {
            throw new ArgumentException("a leaf node has a lifetime exactly when its source is key_package", nameof(lifetime));
        }

        EncryptionKey = encryptionKey;
        SignatureKey = signatureKey;
        Credential = credential;
        Capabilities = capabilities;
        LeafNodeSource = leafNodeSource;
        Lifetime = lifetime;
        ParentHash = parentHash;
        Extensions = extensions;
        Signature = signature;
    }

    public ReadOnlyMemory<byte> EncryptionKey { get; }

    public ReadOnlyMemory<byte> SignatureKey { get; }

    public Credential Credential { get; }

    public Capabilities Capabilities { get; }

    public LeafNodeSource LeafNodeSource { get; }

    /// <summary>The lifetime, when the source is key_package; null otherwise.</summary>
    public Lifetime? Lifetime { get; }

    /// <summary>parent_hash, when the source is commit; empty otherwise.</summary>
    public ReadOnlyMemory<byte> ParentHash { get; }

    public IReadOnlyList<Extension> Extensions { get; }

    public ReadOnlyMemory<byte> Signature { get; }

    public static LeafNode Read(ref MlsReader reader)
    {
        var encryptionKey = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var signatureKey = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var credential = Credential.Read(ref reader);
        var capabilities = Capabilities.Read(ref reader);
        var sourceAt = reader.Position;
        var source = (LeafNodeSource)reader.ReadUInt8();
        Lifetime? lifetime = null;
        ReadOnlyMemory<byte> parentHash = ReadOnlyMemory<byte>.Empty;
        switch (source)
        {
            case LeafNodeSource.KeyPackage:
                lifetime = Lifetime.Read(ref reader);
                break;
            case LeafNodeSource.Update:
                break;
            case LeafNodeSource.Commit:
                parentHash = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
                break;
            default:
                throw reader.Error(sourceAt, $"MLS leaf node source {(byte)source} is not key_package, update or commit");
        }

        var extensions = Extension.ReadList(ref reader, MlsLimits.MaxLeafExtensionsBytes);
        var signature = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        return new LeafNode(encryptionKey, signatureKey, credential, capabilities, source, lifetime, parentHash, extensions, signature);
    }

    public void Write(MlsWriter writer)
    {
        WriteContent(writer);
        writer.WriteVector(Signature.Span);
    }

    /// <summary>
    /// The encoded LeafNodeTBS (§7.2) that <see cref="Signature"/> signs under <see cref="SignatureLabel"/>: the leaf's
    /// content, then — for an update or commit leaf, which is bound to its place — the group id and the leaf's index.
    /// A key_package leaf is not yet in a group, so <paramref name="groupId"/> and <paramref name="leafIndex"/> are not used for it.
    /// </summary>
    public byte[] EncodeTbs(ReadOnlySpan<byte> groupId, LeafIndex leafIndex)
    {
        var writer = new MlsWriter();
        WriteContent(writer);
        if (LeafNodeSource != LeafNodeSource.KeyPackage)
        {
            writer.WriteVector(groupId);
            writer.WriteUInt32(leafIndex.Value);
        }

        return writer.ToArray();
    }

    // Every field but the signature: what LeafNode and LeafNodeTBS share.
    private void WriteContent(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(EncryptionKey.Span);
        writer.WriteVector(SignatureKey.Span);
        Credential.Write(writer);
        Capabilities.Write(writer);
        writer.WriteUInt8((byte)LeafNodeSource);
        if (LeafNodeSource == LeafNodeSource.KeyPackage)
        {
            Lifetime!.Write(writer);
        }
        else if (LeafNodeSource == LeafNodeSource.Commit)
        {
            writer.WriteVector(ParentHash.Span);
        }

        Extension.WriteList(writer, Extensions);
    }
}
