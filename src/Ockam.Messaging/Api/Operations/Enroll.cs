namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// Redeem an enrolment token (<c>token</c>) for this identity's first credential; with <see cref="Keys"/>, publish its
/// group keys and first KeyPackages too, over the same channel.
/// </summary>
public sealed record EnrollRequest(string Token, EnrolmentKeys? Keys = null) : IApiRequest<EnrollRequest, CredentialResponse>
{
    public static ApiOperation Operation => ApiOperation.Enroll;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("token", Token);
        Keys?.Write(body);
    }

    public static EnrollRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("token", ApiLimits.MaxName), EnrolmentKeys.Read(body));
    }
}
