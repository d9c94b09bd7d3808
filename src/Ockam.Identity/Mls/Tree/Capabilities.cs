namespace Ockam.Identity.Mls;

/// <summary>
/// What a client supports (RFC 9420 §7.2):
/// <code>
/// struct {
///     ProtocolVersion versions&lt;V&gt;;
///     CipherSuite cipher_suites&lt;V&gt;;
///     ExtensionType extensions&lt;V&gt;;
///     ProposalType proposals&lt;V&gt;;
///     CredentialType credentials&lt;V&gt;;
/// } Capabilities;
/// </code>
/// Each list is kept as its uint16 values: a client advertises values this implementation may not know.
/// </summary>
internal sealed class Capabilities
{
    public Capabilities(IReadOnlyList<ushort> versions, IReadOnlyList<ushort> cipherSuites, IReadOnlyList<ushort> extensions, IReadOnlyList<ushort> proposals, IReadOnlyList<ushort> credentials)
    {
        Versions = versions;
        CipherSuites = cipherSuites;
        Extensions = extensions;
        Proposals = proposals;
        Credentials = credentials;
    }

    public IReadOnlyList<ushort> Versions { get; }

    public IReadOnlyList<ushort> CipherSuites { get; }

    public IReadOnlyList<ushort> Extensions { get; }

    public IReadOnlyList<ushort> Proposals { get; }

    public IReadOnlyList<ushort> Credentials { get; }

    public static Capabilities Read(ref MlsReader reader)
    {
        var versions = ReadList(ref reader);
        var cipherSuites = ReadList(ref reader);
        var extensions = ReadList(ref reader);
        var proposals = ReadList(ref reader);
        var credentials = ReadList(ref reader);
        return new Capabilities(versions, cipherSuites, extensions, proposals, credentials);
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteList(writer, Versions);
        WriteList(writer, CipherSuites);
        WriteList(writer, Extensions);
        WriteList(writer, Proposals);
        WriteList(writer, Credentials);
    }

    private static List<ushort> ReadList(ref MlsReader reader) =>
        reader.ReadVector(MlsLimits.MaxCapabilityListBytes, static (ref MlsReader r) => r.ReadUInt16());

    private static void WriteList(MlsWriter writer, IReadOnlyList<ushort> values) =>
        writer.WriteVector(values, static (w, v) => w.WriteUInt16(v));
}
