namespace Ockam.Identity.Mls;

/// <summary>
/// Which key a PrivateMessage's content is encrypted under (RFC 9420 §6.3.2), itself encrypted under the sender data key:
/// <code>
/// struct {
///     uint32 leaf_index;
///     uint32 generation;
///     opaque reuse_guard[4];
/// } SenderData;
/// </code>
/// </summary>
internal sealed class SenderData
{
    /// <summary>The size of reuse_guard, and of the nonce prefix it is XORed into.</summary>
    public const int ReuseGuardSize = 4;

    /// <summary>The encoded size: fixed, so the plaintext's length gives nothing away and a wrong length is refused before decoding.</summary>
    public const int EncodedSize = 4 + 4 + ReuseGuardSize;

    private readonly byte[] reuseGuard;

    public SenderData(LeafIndex leafIndex, uint generation, ReadOnlySpan<byte> reuseGuard)
    {
        if (reuseGuard.Length != ReuseGuardSize)
        {
            throw new ArgumentException($"a reuse guard is {ReuseGuardSize} bytes, not {reuseGuard.Length}", nameof(reuseGuard));
        }

        LeafIndex = leafIndex;
        Generation = generation;
        this.reuseGuard = reuseGuard.ToArray();
    }

    public LeafIndex LeafIndex { get; }

    public uint Generation { get; }

    public ReadOnlySpan<byte> ReuseGuard => reuseGuard;

    public static SenderData Decode(ReadOnlySpan<byte> encoded) => MlsReader.DecodeExact(encoded, Read);

    public static SenderData Read(ref MlsReader reader)
    {
        var leafIndex = new LeafIndex(reader.ReadUInt32());
        var generation = reader.ReadUInt32();
        return new SenderData(leafIndex, generation, reader.ReadFixed(ReuseGuardSize));
    }

    public byte[] Encode()
    {
        var writer = new MlsWriter(EncodedSize);
        writer.WriteUInt32(LeafIndex.Value);
        writer.WriteUInt32(Generation);
        writer.WriteFixed(reuseGuard);
        return writer.ToArray();
    }

    /// <summary>The nonce the content is encrypted with: the ratchet's <paramref name="nonce"/> with its first four bytes XORed with the reuse guard (§6.3.1).</summary>
    public byte[] GuardNonce(ReadOnlySpan<byte> nonce)
    {
        var guarded = nonce.ToArray();
        for (var i = 0; i < ReuseGuardSize; i++)
        {
            guarded[i] ^= reuseGuard[i];
        }

        return guarded;
    }
}
