namespace Ockam.Messaging.Api.Operations;

/// <summary>A fresh credential for an enrolled identity.</summary>
public sealed record GetCredentialRequest : IApiRequest<GetCredentialRequest, CredentialResponse>
{
    public static ApiOperation Operation => ApiOperation.GetCredential;

    public void Write(ApiBodyWriter body)
    {
    }

    public static GetCredentialRequest Read(ApiBodyReader body) => new();
}
