namespace Ockam.Identity.Mls;

/// <summary><c>struct { LeafNode leaf_node; } Update;</c> (RFC 9420 §12.1.2).</summary>
internal sealed class UpdateProposal : IProposalBody
{
    public UpdateProposal(LeafNode leafNode)
    {
        ArgumentNullException.ThrowIfNull(leafNode);
        LeafNode = leafNode;
    }

    public ProposalType ProposalType => ProposalType.Update;

    public LeafNode LeafNode { get; }

    public static UpdateProposal Read(ref MlsReader reader) => new(LeafNode.Read(ref reader));

    public void Write(MlsWriter writer) => LeafNode.Write(writer);
}
