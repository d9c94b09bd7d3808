namespace Ockam.Identity.Credentials;

/// <summary>A credential or revocation list failed verification; <see cref="Error"/> says why.</summary>
public sealed class CredentialException : Exception
{
    public CredentialException(CredentialError error, string message, Exception? innerException = null)
        : base(message, innerException) => Error = error;

    public CredentialError Error { get; }
}
