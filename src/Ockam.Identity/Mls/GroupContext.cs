namespace Ockam.Identity.Mls;

/// <summary>
/// The group context of an epoch (RFC 9420 §8.1), the state every member agrees on:
/// <code>
/// struct {
///     ProtocolVersion version = mls10;
///     CipherSuite cipher_suite;
///     opaque group_id&lt;V&gt;;
///     uint64 epoch;
///     opaque tree_hash&lt;V&gt;;
///     opaque confirmed_transcript_hash&lt;V&gt;;
///     Extension extensions&lt;V&gt;;
/// } GroupContext;
/// </code>
/// The cipher suite is kept as its wire value, so that a decoded context of any suite re-encodes as it was; the key
/// schedule resolves it with <see cref="Mls.CipherSuite.FromId"/>, which refuses a suite this code does not implement.
/// </summary>
internal sealed class GroupContext
{
    /// <summary>ProtocolVersion mls10.</summary>
    public const ushort Mls10 = (ushort)ProtocolVersion.Mls10;

    private readonly byte[] groupId;
    private readonly byte[] treeHash;
    private readonly byte[] confirmedTranscriptHash;

    public GroupContext(ushort cipherSuite, ReadOnlySpan<byte> groupId, ulong epoch, ReadOnlySpan<byte> treeHash, ReadOnlySpan<byte> confirmedTranscriptHash, IReadOnlyList<Extension> extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        CipherSuite = cipherSuite;
        this.groupId = groupId.ToArray();
        Epoch = epoch;
        this.treeHash = treeHash.ToArray();
        this.confirmedTranscriptHash = confirmedTranscriptHash.ToArray();
        Extensions = extensions;
    }

    /// <summary>The CipherSuite value on the wire.</summary>
    public ushort CipherSuite { get; }

    public ReadOnlySpan<byte> GroupId => groupId;

    public ulong Epoch { get; }

    public ReadOnlySpan<byte> TreeHash => treeHash;

    public ReadOnlySpan<byte> ConfirmedTranscriptHash => confirmedTranscriptHash;

    public IReadOnlyList<Extension> Extensions { get; }

    /// <summary>
    /// A GroupContext, as a GroupInfo carries it. Only mls10 is accepted: the version fixes the layout, and the
    /// context of another version could not be re-encoded as read.
    /// </summary>
    public static GroupContext Read(ref MlsReader reader)
    {
        var versionAt = reader.Position;
        var version = reader.ReadUInt16();
        if (version != Mls10)
        {
            throw reader.Error(versionAt, $"MLS group context version {version} is not mls10");
        }

        var cipherSuite = reader.ReadUInt16();
        var groupId = reader.ReadVector(MlsLimits.MaxIdentifierBytes);
        var epoch = reader.ReadUInt64();
        var treeHash = reader.ReadVector(MlsLimits.MaxKeyBytes);
        var confirmedTranscriptHash = reader.ReadVector(MlsLimits.MaxKeyBytes);
        var extensions = Extension.ReadList(ref reader, MlsLimits.MaxTreeBytes);
        return new GroupContext(cipherSuite, groupId, epoch, treeHash, confirmedTranscriptHash, extensions);
    }

    /// <summary>The GroupContext as it goes into the key schedule's "joiner" and "epoch" derivations.</summary>
    public byte[] Encode() => MlsWriter.Encode(Write);

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt16(Mls10);
        writer.WriteUInt16(CipherSuite);
        writer.WriteVector(groupId);
        writer.WriteUInt64(Epoch);
        writer.WriteVector(treeHash);
        writer.WriteVector(confirmedTranscriptHash);
        Extension.WriteList(writer, Extensions);
    }
}
