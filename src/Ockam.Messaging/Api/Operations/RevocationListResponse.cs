namespace Ockam.Messaging.Api.Operations;

/// <summary>The authority's signed revocation list (<c>revocation-list</c>).</summary>
public sealed record RevocationListResponse(ReadOnlyMemory<byte> RevocationList) : IApiBody<RevocationListResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bytes("revocation-list", RevocationList);
    }

    public static RevocationListResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Bytes("revocation-list", ApiLimits.MaxBytes));
    }
}
