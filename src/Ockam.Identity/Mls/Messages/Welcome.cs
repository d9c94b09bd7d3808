namespace Ockam.Identity.Mls;

/// <summary>
/// <code>
/// struct {
///     CipherSuite cipher_suite;
///     EncryptedGroupSecrets secrets&lt;V&gt;;
///     opaque encrypted_group_info&lt;V&gt;;
/// } Welcome;
/// </code>
/// (RFC 9420 §12.4.3.1). The cipher suite is kept as its wire value; the joiner refuses one it does not implement.
/// </summary>
internal sealed class Welcome
{
    public Welcome(ushort cipherSuite, IReadOnlyList<EncryptedGroupSecrets> secrets, ReadOnlyMemory<byte> encryptedGroupInfo)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        CipherSuite = cipherSuite;
        Secrets = secrets;
        EncryptedGroupInfo = encryptedGroupInfo;
    }

    /// <summary>The CipherSuite value on the wire.</summary>
    public ushort CipherSuite { get; }

    public IReadOnlyList<EncryptedGroupSecrets> Secrets { get; }

    /// <summary>The GroupInfo, encrypted under the welcome key; it may carry the ratchet tree, so it is bounded as a tree is.</summary>
    public ReadOnlyMemory<byte> EncryptedGroupInfo { get; }

    public static Welcome Read(ref MlsReader reader)
    {
        var cipherSuite = reader.ReadUInt16();
        var secrets = reader.ReadVector(MlsLimits.MaxTreeBytes, EncryptedGroupSecrets.Read);
        return new Welcome(cipherSuite, secrets, reader.ReadVectorBytes(MlsLimits.MaxTreeBytes));
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt16(CipherSuite);
        writer.WriteVector(Secrets, static (w, s) => s.Write(w));
        writer.WriteVector(EncryptedGroupInfo.Span);
    }
}
