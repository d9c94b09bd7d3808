namespace Ockam.Messaging.Api.Operations;

/// <summary>The authority's current signed revocation list.</summary>
public sealed record GetRevocationListRequest : IApiRequest<GetRevocationListRequest, RevocationListResponse>
{
    public static ApiOperation Operation => ApiOperation.GetRevocationList;

    public void Write(ApiBodyWriter body)
    {
    }

    public static GetRevocationListRequest Read(ApiBodyReader body) => new();
}
