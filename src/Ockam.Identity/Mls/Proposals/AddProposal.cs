namespace Ockam.Identity.Mls;

/// <summary><c>struct { KeyPackage key_package; } Add;</c> (RFC 9420 §12.1.1).</summary>
internal sealed class AddProposal : IProposalBody
{
    public AddProposal(KeyPackage keyPackage)
    {
        ArgumentNullException.ThrowIfNull(keyPackage);
        KeyPackage = keyPackage;
    }

    public ProposalType ProposalType => ProposalType.Add;

    public KeyPackage KeyPackage { get; }

    public static AddProposal Read(ref MlsReader reader) => new(KeyPackage.Read(ref reader));

    public void Write(MlsWriter writer) => KeyPackage.Write(writer);
}
