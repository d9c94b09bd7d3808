namespace Ockam.Identity.Mls;

/// <summary><c>enum { reserved(0), proposal(1), reference(2), (255) } ProposalOrRefType;</c> (RFC 9420 §12.4).</summary>
internal enum ProposalOrRefType : byte
{
    Proposal = 1,
    Reference = 2,
}
