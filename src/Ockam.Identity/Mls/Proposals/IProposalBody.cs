namespace Ockam.Identity.Mls;

/// <summary>The body of a <see cref="Proposal"/>: one struct per <see cref="ProposalType"/> (RFC 9420 §12.1).</summary>
internal interface IProposalBody
{
    ProposalType ProposalType { get; }

    /// <summary>Writes the body alone, without the proposal type.</summary>
    void Write(MlsWriter writer);
}
