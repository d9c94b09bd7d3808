namespace Ockam.Identity.Mls;

/// <summary>
/// Which PSK a group uses, and a fresh nonce for this use (RFC 9420 §8.4):
/// <code>
/// struct {
///     PSKType psktype;
///     select (PreSharedKeyID.psktype) {
///         case external:   opaque psk_id&lt;V&gt;;
///         case resumption: ResumptionPSKUsage usage; opaque psk_group_id&lt;V&gt;; uint64 psk_epoch;
///     };
///     opaque psk_nonce&lt;V&gt;;
/// } PreSharedKeyID;
/// </code>
/// </summary>
internal sealed class PreSharedKeyId
{
    private readonly byte[] pskId;
    private readonly byte[] pskGroupId;
    private readonly byte[] pskNonce;

    private PreSharedKeyId(PskType pskType, byte[] pskId, ResumptionPskUsage usage, byte[] pskGroupId, ulong pskEpoch, byte[] pskNonce)
    {
        PskType = pskType;
        this.pskId = pskId;
        Usage = usage;
        this.pskGroupId = pskGroupId;
        PskEpoch = pskEpoch;
        this.pskNonce = pskNonce;
    }

    public PskType PskType { get; }

    /// <summary>psk_id, for an external PSK.</summary>
    public ReadOnlySpan<byte> PskId => pskId;

    /// <summary>usage, for a resumption PSK.</summary>
    public ResumptionPskUsage Usage { get; }

    /// <summary>psk_group_id, for a resumption PSK.</summary>
    public ReadOnlySpan<byte> PskGroupId => pskGroupId;

    /// <summary>psk_epoch, for a resumption PSK.</summary>
    public ulong PskEpoch { get; }

    public ReadOnlySpan<byte> PskNonce => pskNonce;

    /// <summary>An external PSK's id.</summary>
    public static PreSharedKeyId External(ReadOnlySpan<byte> pskId, ReadOnlySpan<byte> pskNonce) =>
        new(PskType.External, pskId.ToArray(), default, [], 0, pskNonce.ToArray());

    /// <summary>A resumption PSK's id: the resumption_psk of <paramref name="pskEpoch"/> of group <paramref name="pskGroupId"/>.</summary>
    public static PreSharedKeyId Resumption(ResumptionPskUsage usage, ReadOnlySpan<byte> pskGroupId, ulong pskEpoch, ReadOnlySpan<byte> pskNonce) =>
        new(PskType.Resumption, [], usage, pskGroupId.ToArray(), pskEpoch, pskNonce.ToArray());

    public static PreSharedKeyId Read(ref MlsReader reader)
    {
        var typeAt = reader.Position;
        var pskType = (PskType)reader.ReadUInt8();
        byte[] pskId = [];
        byte[] pskGroupId = [];
        ResumptionPskUsage usage = default;
        ulong pskEpoch = 0;
        switch (pskType)
        {
            case PskType.External:
                pskId = reader.ReadVectorBytes(MlsLimits.MaxIdentifierBytes);
                break;
            case PskType.Resumption:
                // The usage is kept as read: which usages are allowed depends on where the PSK appears (§8.4).
                usage = (ResumptionPskUsage)reader.ReadUInt8();
                pskGroupId = reader.ReadVectorBytes(MlsLimits.MaxIdentifierBytes);
                pskEpoch = reader.ReadUInt64();
                break;
            default:
                throw reader.Error(typeAt, $"MLS PSK type {(byte)pskType} is not external or resumption");
        }

        return new(pskType, pskId, usage, pskGroupId, pskEpoch, reader.ReadVectorBytes(MlsLimits.MaxKeyBytes));
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8((byte)PskType);
        if (PskType == PskType.External)
        {
            writer.WriteVector(pskId);
        }
        else
        {
            writer.WriteUInt8((byte)Usage);
            writer.WriteVector(pskGroupId);
            writer.WriteUInt64(PskEpoch);
        }

        writer.WriteVector(pskNonce);
    }
}
