namespace Ockam.Identity.Mls;

/// <summary>
/// <c>struct { HPKEPublicKey encryption_key; HPKECiphertext encrypted_path_secret&lt;V&gt;; } UpdatePathNode;</c>
/// (RFC 9420 §7.6): one node of a committer's new direct path, with its path secret encrypted to each node of the
/// copath node's resolution.
/// </summary>
internal sealed class UpdatePathNode
{
    public UpdatePathNode(ReadOnlyMemory<byte> encryptionKey, IReadOnlyList<HpkeCiphertext> encryptedPathSecret)
    {
        ArgumentNullException.ThrowIfNull(encryptedPathSecret);
        EncryptionKey = encryptionKey;
        EncryptedPathSecret = encryptedPathSecret;
    }

    public ReadOnlyMemory<byte> EncryptionKey { get; }

    public IReadOnlyList<HpkeCiphertext> EncryptedPathSecret { get; }

    public static UpdatePathNode Read(ref MlsReader reader)
    {
        var encryptionKey = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        return new UpdatePathNode(encryptionKey, reader.ReadVector(MlsLimits.MaxTreeBytes, HpkeCiphertext.Read));
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(EncryptionKey.Span);
        writer.WriteVector(EncryptedPathSecret, static (w, c) => c.Write(w));
    }
}
