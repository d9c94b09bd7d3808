namespace Ockam.Identity.Mls;

/// <summary><c>struct { PreSharedKeyID psk; } PreSharedKey;</c> (RFC 9420 §12.1.4).</summary>
internal sealed class PreSharedKeyProposal : IProposalBody
{
    public PreSharedKeyProposal(PreSharedKeyId psk)
    {
        ArgumentNullException.ThrowIfNull(psk);
        Psk = psk;
    }

    public ProposalType ProposalType => ProposalType.PreSharedKey;

    public PreSharedKeyId Psk { get; }

    public static PreSharedKeyProposal Read(ref MlsReader reader) => new(PreSharedKeyId.Read(ref reader));

    public void Write(MlsWriter writer) => Psk.Write(writer);
}
