namespace Ockam.Identity.Mls;

/// <summary>
/// <c>struct { opaque path_secret&lt;V&gt;; } PathSecret;</c> (RFC 9420 §12.4.3.1): the path secret of the lowest node a
/// joiner shares with the committer. A secret, held as bytes only between decryption and import into the vault.
/// </summary>
internal sealed class PathSecret
{
    public PathSecret(ReadOnlyMemory<byte> secret)
    {
        Secret = secret;
    }

    public ReadOnlyMemory<byte> Secret { get; }

    public static PathSecret Read(ref MlsReader reader) => new(reader.ReadVectorBytes(MlsLimits.MaxKeyBytes));

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(Secret.Span);
    }
}
