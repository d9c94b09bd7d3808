namespace Ockam.Identity.Mls;

/// <summary>
/// The required_capabilities GroupContext extension (RFC 9420 §11.1): what every member's leaf must support.
/// <code>
/// struct {
///     ExtensionType extension_types&lt;V&gt;;
///     ProposalType proposal_types&lt;V&gt;;
///     CredentialType credential_types&lt;V&gt;;
/// } RequiredCapabilities;
/// </code>
/// </summary>
internal sealed class RequiredCapabilities
{
    private RequiredCapabilities(List<ushort> extensionTypes, List<ushort> proposalTypes, List<ushort> credentialTypes)
    {
        ExtensionTypes = extensionTypes;
        ProposalTypes = proposalTypes;
        CredentialTypes = credentialTypes;
    }

    public IReadOnlyList<ushort> ExtensionTypes { get; }

    public IReadOnlyList<ushort> ProposalTypes { get; }

    public IReadOnlyList<ushort> CredentialTypes { get; }

    /// <summary>The requirement in <paramref name="extensions"/>, or null when the group has none.</summary>
    /// <exception cref="Encoding.OckamDecodeException">The extension is malformed.</exception>
    public static RequiredCapabilities? Of(IReadOnlyList<Extension> extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        var extension = extensions.FirstOrDefault(e => e.ExtensionType == ExtensionType.RequiredCapabilities);
        return extension is null ? null : MlsReader.DecodeExact(extension.ExtensionData.Span, Read);
    }

    /// <summary>True when <paramref name="leaf"/> lists every required extension, proposal and credential type.</summary>
    public bool IsMetBy(LeafNode leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var capabilities = leaf.Capabilities;
        return ExtensionTypes.All(capabilities.Extensions.Contains)
            && ProposalTypes.All(capabilities.Proposals.Contains)
            && CredentialTypes.All(capabilities.Credentials.Contains);
    }

    private static RequiredCapabilities Read(ref MlsReader reader) =>
        new(ReadList(ref reader), ReadList(ref reader), ReadList(ref reader));

    private static List<ushort> ReadList(ref MlsReader reader) =>
        reader.ReadVector(MlsLimits.MaxCapabilityListBytes, static (ref MlsReader r) => r.ReadUInt16());
}
