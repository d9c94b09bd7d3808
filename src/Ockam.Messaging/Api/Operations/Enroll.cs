namespace Ockam.Messaging.Api.Operations;

/// <summary>Redeem an enrolment token (<c>token</c>) for this identity's first credential.</summary>
public sealed record EnrollRequest(string Token) : IApiRequest<EnrollRequest, CredentialResponse>
{
    public static ApiOperation Operation => ApiOperation.Enroll;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("token", Token);
    }

    public static EnrollRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("token", ApiLimits.MaxName));
    }
}
