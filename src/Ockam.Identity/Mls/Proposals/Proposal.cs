namespace Ockam.Identity.Mls;

/// <summary>
/// <c>struct { ProposalType proposal_type; select (Proposal.proposal_type) { case add: Add; ... }; } Proposal;</c>
/// (RFC 9420 §12.1). An unknown proposal type is a decode error: its body has no length prefix, so it cannot be
/// skipped, and §12.2 has a commit that carries a proposal a member does not support be rejected anyway.
/// </summary>
internal sealed class Proposal
{
    public Proposal(IProposalBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Body = body;
    }

    public ProposalType ProposalType => Body.ProposalType;

    public IProposalBody Body { get; }

    public static Proposal Read(ref MlsReader reader)
    {
        var start = reader.Position;
        return (ProposalType)reader.ReadUInt16() switch
        {
            ProposalType.Add => new Proposal(AddProposal.Read(ref reader)),
            ProposalType.Update => new Proposal(UpdateProposal.Read(ref reader)),
            ProposalType.Remove => new Proposal(RemoveProposal.Read(ref reader)),
            ProposalType.PreSharedKey => new Proposal(PreSharedKeyProposal.Read(ref reader)),
            ProposalType.ReInit => new Proposal(ReInitProposal.Read(ref reader)),
            ProposalType.ExternalInit => new Proposal(ExternalInitProposal.Read(ref reader)),
            ProposalType.GroupContextExtensions => new Proposal(GroupContextExtensionsProposal.Read(ref reader)),
            var other => throw reader.Error(start, $"MLS proposal type {(ushort)other} is not supported"),
        };
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt16((ushort)ProposalType);
        Body.Write(writer);
    }
}
