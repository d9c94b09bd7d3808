namespace Ockam.Identity.Mls;

/// <summary>
/// <code>
/// struct {
///     ProposalOrRefType type;
///     select (ProposalOrRef.type) {
///         case proposal:  Proposal proposal;
///         case reference: ProposalRef reference;
///     };
/// } ProposalOrRef;
/// </code>
/// (RFC 9420 §12.4): a proposal carried in the commit, or the ProposalRef (a hash, opaque&lt;V&gt;) of one sent before.
/// Exactly one of <see cref="Proposal"/> and <see cref="Reference"/> is set.
/// </summary>
internal sealed class ProposalOrRef
{
    private ProposalOrRef(Proposal? proposal, ReadOnlyMemory<byte> reference)
    {
        Proposal = proposal;
        Reference = reference;
    }

    public ProposalOrRefType Type => Proposal is not null ? ProposalOrRefType.Proposal : ProposalOrRefType.Reference;

    public Proposal? Proposal { get; }

    /// <summary>The ProposalRef, for a reference; empty otherwise.</summary>
    public ReadOnlyMemory<byte> Reference { get; }

    public static ProposalOrRef ByValue(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        return new ProposalOrRef(proposal, ReadOnlyMemory<byte>.Empty);
    }

    public static ProposalOrRef ByReference(ReadOnlyMemory<byte> reference) => new(null, reference);

    public static ProposalOrRef Read(ref MlsReader reader)
    {
        var start = reader.Position;
        return (ProposalOrRefType)reader.ReadUInt8() switch
        {
            ProposalOrRefType.Proposal => ByValue(Proposal.Read(ref reader)),
            ProposalOrRefType.Reference => ByReference(reader.ReadVectorBytes(MlsLimits.MaxKeyBytes)),
            var other => throw reader.Error(start, $"MLS ProposalOrRef type {(byte)other} is not proposal or reference"),
        };
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8((byte)Type);
        if (Proposal is not null)
        {
            Proposal.Write(writer);
        }
        else
        {
            writer.WriteVector(Reference.Span);
        }
    }
}
