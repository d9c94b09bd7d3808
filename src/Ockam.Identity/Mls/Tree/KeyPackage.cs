namespace Ockam.Identity.Mls;

/// <summary>
/// A client's offer to be added to a group (RFC 9420 §10):
/// <code>
/// struct {
///     ProtocolVersion version;
///     CipherSuite cipher_suite;
///     HPKEPublicKey init_key;
///     LeafNode leaf_node;
///     Extension extensions&lt;V&gt;;
///     /* SignWithLabel(., "KeyPackageTBS", KeyPackageTBS) */
///     opaque signature&lt;V&gt;;
/// } KeyPackage;
/// </code>
/// The cipher suite is kept as its wire value: a key package may name a suite this implementation does not
/// support, and the group layer rejects it there, not the codec.
/// </summary>
internal sealed class KeyPackage
{
    /// <summary>The label of the key package's signature.</summary>
    public const string SignatureLabel = "KeyPackageTBS";

    /// <summary>The RefHash label of a KeyPackageRef (§5.2).</summary>
    public const string RefLabel = "MLS 1.0 KeyPackage Reference";

    public KeyPackage(ProtocolVersion version, ushort cipherSuite, ReadOnlyMemory<byte> initKey, LeafNode leafNode, IReadOnlyList<Extension> extensions, ReadOnlyMemory<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(leafNode);
        ArgumentNullException.ThrowIfNull(extensions);
        Version = version;
        CipherSuite = cipherSuite;
        InitKey = initKey;
        LeafNode = leafNode;
        Extensions = extensions;
        Signature = signature;
    }

    public ProtocolVersion Version { get; }

    /// <summary>The CipherSuite value on the wire.</summary>
    public ushort CipherSuite { get; }

    public ReadOnlyMemory<byte> InitKey { get; }

    public LeafNode LeafNode { get; }

    public IReadOnlyList<Extension> Extensions { get; }

    public ReadOnlyMemory<byte> Signature { get; }

    public static KeyPackage Decode(ReadOnlySpan<byte> encoded) => MlsReader.DecodeExact(encoded, Read);

    public static KeyPackage Read(ref MlsReader reader)
    {
        var version = (ProtocolVersion)reader.ReadUInt16();
        var cipherSuite = reader.ReadUInt16();
        var initKey = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var leafNode = LeafNode.Read(ref reader);
        var extensions = Extension.ReadList(ref reader, MlsLimits.MaxLeafExtensionsBytes);
        var signature = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        return new KeyPackage(version, cipherSuite, initKey, leafNode, extensions, signature);
    }

    public byte[] Encode() => MlsWriter.Encode(Write);

    public void Write(MlsWriter writer)
    {
        WriteTbs(writer);
        writer.WriteVector(Signature.Span);
    }

    /// <summary>The encoded KeyPackageTBS (every field but the signature), which <see cref="Signature"/> signs under <see cref="SignatureLabel"/>.</summary>
    public byte[] EncodeTbs() => MlsWriter.Encode(WriteTbs);

    /// <summary>KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage) under <paramref name="suite"/>.</summary>
    public byte[] ComputeRef(CipherSuite suite) => RefHash.Compute(suite, RefLabel, Encode());

    private void WriteTbs(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt16((ushort)Version);
        writer.WriteUInt16(CipherSuite);
        writer.WriteVector(InitKey.Span);
        LeafNode.Write(writer);
        Extension.WriteList(writer, Extensions);
    }
}
