namespace Ockam.Identity.Mls;

/// <summary>
/// <c>ProposalRef = RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent)</c> (RFC 9420 §5.2): how a commit names
/// a proposal sent before it. The hash covers the signature, so a reference names one message, not just its proposal.
/// </summary>
internal static class ProposalRef
{
    public const string Label = "MLS 1.0 Proposal Reference";

    public static byte[] Compute(CipherSuite suite, AuthenticatedContent proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        return RefHash.Compute(suite, Label, proposal.Encode());
    }
}
