namespace Ockam.Messaging.Api.Operations;

/// <summary>Lift a suspension or a revocation of identity <c>subject</c>; admins only.</summary>
public sealed record ReadmitRequest(string Subject) : IApiRequest<ReadmitRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.Readmit;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("subject", Subject);
    }

    public static ReadmitRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("subject", ApiLimits.MaxName));
    }
}
