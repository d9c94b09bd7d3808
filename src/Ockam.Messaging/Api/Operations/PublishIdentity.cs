using Ockam.Identity.Identities;

namespace Ockam.Messaging.Api.Operations;

/// <summary>Publish this identity's rotated or revoked change history (<c>history</c>, bytes; decoded as it is read).</summary>
public sealed record PublishIdentityRequest(ChangeHistory History) : IApiRequest<PublishIdentityRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.PublishIdentity;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bytes("history", History.Encode());
    }

    public static PublishIdentityRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(ChangeHistory.Decode(body.Bytes("history", ApiLimits.MaxBytes)));
    }
}
