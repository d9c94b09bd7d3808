namespace Ockam.Identity.Identities;

/// <summary>An identity, history or attestation failed verification; <see cref="Error"/> says why.</summary>
public sealed class IdentityException : Exception
{
    public IdentityException(IdentityError error, string message)
        : base(message) => Error = error;

    public IdentityError Error { get; }
}
