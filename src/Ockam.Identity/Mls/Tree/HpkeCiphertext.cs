namespace Ockam.Identity.Mls;

/// <summary><c>struct { opaque kem_output&lt;V&gt;; opaque ciphertext&lt;V&gt;; } HPKECiphertext;</c> (RFC 9420 §7.6).</summary>
internal sealed class HpkeCiphertext
{
    public HpkeCiphertext(ReadOnlyMemory<byte> kemOutput, ReadOnlyMemory<byte> ciphertext)
    {
        KemOutput = kemOutput;
        Ciphertext = ciphertext;
    }

    public ReadOnlyMemory<byte> KemOutput { get; }

    public ReadOnlyMemory<byte> Ciphertext { get; }

    /// <summary>An HPKECiphertext of a path secret or of GroupSecrets, both small.</summary>
    public static HpkeCiphertext Read(ref MlsReader reader)
    {
        var kemOutput = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        return new HpkeCiphertext(kemOutput, reader.ReadVectorBytes(MlsLimits.MaxIdentifierBytes));
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(KemOutput.Span);
        writer.WriteVector(Ciphertext.Span);
    }
}
