namespace Ockam.Messaging.Api.Operations;

/// <summary>The authority's change history, to trust it.</summary>
public sealed record GetAuthorityRequest : IApiRequest<GetAuthorityRequest, GetAuthorityResponse>
{
    public static ApiOperation Operation => ApiOperation.GetAuthority;

    public void Write(ApiBodyWriter body)
    {
    }

    public static GetAuthorityRequest Read(ApiBodyReader body) => new();
}

/// <summary>The authority's change history (<c>authority</c>).</summary>
public sealed record GetAuthorityResponse(ReadOnlyMemory<byte> Authority) : IApiBody<GetAuthorityResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bytes("authority", Authority);
    }

    public static GetAuthorityResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Bytes("authority", ApiLimits.MaxBytes));
    }
}
