namespace Ockam.Messaging.Api.Operations;

/// <summary>Claim relay <c>relay</c> (the credential must name it in <c>ockam.relay</c>).</summary>
public sealed record CreateRelayRequest(string Relay) : IApiRequest<CreateRelayRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.CreateRelay;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("relay", Relay);
    }

    public static CreateRelayRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("relay", ApiLimits.MaxName));
    }
}
