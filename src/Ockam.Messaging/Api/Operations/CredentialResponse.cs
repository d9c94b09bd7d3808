namespace Ockam.Messaging.Api.Operations;

/// <summary>A credential presentation (<c>credential</c>), as enroll and get-credential answer.</summary>
public sealed record CredentialResponse(ReadOnlyMemory<byte> Credential) : IApiBody<CredentialResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bytes("credential", Credential);
    }

    public static CredentialResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Bytes("credential", ApiLimits.MaxBytes));
    }
}
