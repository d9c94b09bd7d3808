namespace Ockam.Identity.Mls;

/// <summary><c>struct { opaque kem_output&lt;V&gt;; } ExternalInit;</c> (RFC 9420 §12.1.6).</summary>
internal sealed class ExternalInitProposal : IProposalBody
{
    public ExternalInitProposal(ReadOnlyMemory<byte> kemOutput)
    {
        KemOutput = kemOutput;
    }

    public ProposalType ProposalType => ProposalType.ExternalInit;

    public ReadOnlyMemory<byte> KemOutput { get; }

    public static ExternalInitProposal Read(ref MlsReader reader) => new(reader.ReadVectorBytes(MlsLimits.MaxKeyBytes));

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(KemOutput.Span);
    }
}
