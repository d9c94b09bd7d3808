namespace Ockam.Identity.Mls;

/// <summary><c>struct { Extension extensions&lt;V&gt;; } GroupContextExtensions;</c> (RFC 9420 §12.1.7).</summary>
internal sealed class GroupContextExtensionsProposal : IProposalBody
{
    public GroupContextExtensionsProposal(IReadOnlyList<Extension> extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        Extensions = extensions;
    }

    public ProposalType ProposalType => ProposalType.GroupContextExtensions;

    public IReadOnlyList<Extension> Extensions { get; }

    public static GroupContextExtensionsProposal Read(ref MlsReader reader) => new(Extension.ReadList(ref reader, MlsLimits.MaxTreeBytes));

    public void Write(MlsWriter writer) => Extension.WriteList(writer, Extensions);
}
