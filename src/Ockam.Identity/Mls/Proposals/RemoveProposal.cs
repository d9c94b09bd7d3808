namespace Ockam.Identity.Mls;

/// <summary><c>struct { uint32 removed; } Remove;</c> (RFC 9420 §12.1.3): the leaf index of the member to remove.</summary>
internal sealed class RemoveProposal : IProposalBody
{
    public RemoveProposal(LeafIndex removed)
    {
        Removed = removed;
    }

    public ProposalType ProposalType => ProposalType.Remove;

    public LeafIndex Removed { get; }

    public static RemoveProposal Read(ref MlsReader reader) => new(new LeafIndex(reader.ReadUInt32()));

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt32(Removed.Value);
    }
}
