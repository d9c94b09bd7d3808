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
/// Extensions are not modelled yet: <see cref="Extensions"/> is the encoded content of the extensions vector.
/// </summary>
internal sealed class GroupContext
{
    /// <summary>ProtocolVersion mls10.</summary>
    public const ushort Mls10 = 1;

    private readonly byte[] groupId;
    private readonly byte[] treeHash;
    private readonly byte[] confirmedTranscriptHash;
    private readonly byte[] extensions;

    public GroupContext(CipherSuite cipherSuite, ReadOnlySpan<byte> groupId, ulong epoch, ReadOnlySpan<byte> treeHash, ReadOnlySpan<byte> confirmedTranscriptHash, ReadOnlySpan<byte> extensions)
    {
        ArgumentNullException.ThrowIfNull(cipherSuite);
        CipherSuite = cipherSuite;
        this.groupId = groupId.ToArray();
        Epoch = epoch;
        this.treeHash = treeHash.ToArray();
        this.confirmedTranscriptHash = confirmedTranscriptHash.ToArray();
        this.extensions = extensions.ToArray();
    }

    public CipherSuite CipherSuite { get; }

    public ReadOnlySpan<byte> GroupId => groupId;

    public ulong Epoch { get; }

    public ReadOnlySpan<byte> TreeHash => treeHash;

    public ReadOnlySpan<byte> ConfirmedTranscriptHash => confirmedTranscriptHash;

    /// <summary>The encoded extensions, without the vector's length header.</summary>
    public ReadOnlySpan<byte> Extensions => extensions;

    /// <summary>The GroupContext as it goes into the key schedule's "joiner" and "epoch" derivations.</summary>
    public byte[] Encode()
    {
        var writer = new MlsWriter();
        writer.WriteUInt16(Mls10);
        writer.WriteUInt16(CipherSuite.Id);
        writer.WriteVector(groupId);
        writer.WriteUInt64(Epoch);
        writer.WriteVector(treeHash);
        writer.WriteVector(confirmedTranscriptHash);
        writer.WriteVector(extensions);
        return writer.ToArray();
    }
}
