namespace Ockam.Identity.Mls;

/// <summary>
/// A member's credential (RFC 9420 §5.3):
/// <code>
/// struct { opaque cert_data&lt;V&gt;; } Certificate;
/// struct {
///     CredentialType credential_type;
///     select (Credential.credential_type) {
///         case basic: opaque identity&lt;V&gt;;
///         case x509:  Certificate certificates&lt;V&gt;;
///     };
/// } Credential;
/// </code>
/// Any other credential type is a decode error, not kept opaque: the struct gives its content no length
/// prefix, so bytes of a type this code does not know cannot even be delimited from what follows them.
/// </summary>
internal sealed class Credential
{
    private Credential(CredentialType credentialType, ReadOnlyMemory<byte> identity, IReadOnlyList<ReadOnlyMemory<byte>> certificates)
    {
        CredentialType = credentialType;
        Identity = identity;
        Certificates = certificates;
    }

    public CredentialType CredentialType { get; }

    /// <summary>identity, for a basic credential.</summary>
    public ReadOnlyMemory<byte> Identity { get; }

    /// <summary>Each certificate's cert_data, leaf first, for an x509 credential.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Certificates { get; }

    public static Credential Basic(ReadOnlyMemory<byte> identity) => new(CredentialType.Basic, identity, []);

    public static Credential X509(IReadOnlyList<ReadOnlyMemory<byte>> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return new(CredentialType.X509, ReadOnlyMemory<byte>.Empty, certificates);
    }

    public static Credential Read(ref MlsReader reader)
    {
        var start = reader.Position;
        return (CredentialType)reader.ReadUInt16() switch
        {
            CredentialType.Basic => Basic(reader.ReadVectorBytes(MlsLimits.MaxIdentifierBytes)),
            CredentialType.X509 => X509(reader.ReadVector(
                MlsLimits.MaxCredentialBytes,
                static (ref MlsReader r) => (ReadOnlyMemory<byte>)r.ReadVectorBytes(MlsLimits.MaxCredentialBytes))),
            var other => throw reader.Error(start, $"MLS credential type {(ushort)other} is not basic or x509"),
        };
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt16((ushort)CredentialType);
        if (CredentialType == CredentialType.Basic)
        {
            writer.WriteVector(Identity.Span);
        }
        else
        {
            writer.WriteVector(Certificates, static (w, c) => w.WriteVector(c.Span));
        }
    }
}
