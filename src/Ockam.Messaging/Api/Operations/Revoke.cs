namespace Ockam.Messaging.Api.Operations;

/// <summary>Revoke a credential (<c>serial</c>) or a member (<c>subject</c>); admins only.</summary>
public sealed record RevokeRequest(ulong? Serial = null, string? Subject = null) : IApiRequest<RevokeRequest, RevocationListResponse>
{
    public static ApiOperation Operation => ApiOperation.Revoke;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.OptionalNumber("serial", Serial);
        body.OptionalText("subject", Subject);
    }

    public static RevokeRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.OptionalNumber("serial"), body.OptionalText("subject", ApiLimits.MaxName));
    }
}
