namespace Ockam.Messaging.Api.Operations;

/// <summary>Acknowledge the message <c>sequence</c> relayed through <c>relay</c>.</summary>
public sealed record AcknowledgeRelayRequest(string Relay, ulong Sequence) : IApiRequest<AcknowledgeRelayRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.AcknowledgeRelay;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("relay", Relay);
        body.Number("sequence", Sequence);
    }

    public static AcknowledgeRelayRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("relay", ApiLimits.MaxName), body.Number("sequence"));
    }
}
