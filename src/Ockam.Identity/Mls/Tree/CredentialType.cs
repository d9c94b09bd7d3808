namespace Ockam.Identity.Mls;

/// <summary><c>enum { reserved(0), basic(1), x509(2), (65535) } CredentialType;</c> (RFC 9420 §5.3).</summary>
internal enum CredentialType : ushort
{
    Basic = 1,
    X509 = 2,
}
