namespace Ockam.Identity.Mls;

/// <summary>
/// The secrets a Welcome encrypts to each new member (RFC 9420 §12.4.3.1):
/// <code>
/// struct {
///     opaque joiner_secret&lt;V&gt;;
///     optional&lt;PathSecret&gt; path_secret;
///     PreSharedKeyID psks&lt;V&gt;;
/// } GroupSecrets;
/// </code>
/// It is decoded from the HPKE plaintext; the Welcome layer imports the secrets into the vault and drops these bytes.
/// </summary>
internal sealed class GroupSecrets
{
    public GroupSecrets(ReadOnlyMemory<byte> joinerSecret, PathSecret? pathSecret, IReadOnlyList<PreSharedKeyId> psks)
    {
        ArgumentNullException.ThrowIfNull(psks);
        JoinerSecret = joinerSecret;
        PathSecret = pathSecret;
        Psks = psks;
    }

    public ReadOnlyMemory<byte> JoinerSecret { get; }

    public PathSecret? PathSecret { get; }

    public IReadOnlyList<PreSharedKeyId> Psks { get; }

    public static GroupSecrets Decode(ReadOnlySpan<byte> encoded) => MlsReader.DecodeExact(encoded, Read);

    public static GroupSecrets Read(ref MlsReader reader)
    {
        var joinerSecret = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        var pathSecret = reader.ReadOptional(PathSecret.Read);
        return new GroupSecrets(joinerSecret, pathSecret, reader.ReadVector(MlsLimits.MaxFrameBytes, PreSharedKeyId.Read));
    }

    public byte[] Encode() => MlsWriter.Encode(Write);

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(JoinerSecret.Span);
        writer.WriteOptional(PathSecret, static (w, p) => p.Write(w));
        writer.WriteVector(Psks, static (w, p) => p.Write(w));
    }
}
