namespace Ockam.Messaging.Api.Operations;

/// <summary>Receive what reaches owned relay <c>relay</c> over this channel, mailbox first.</summary>
public sealed record ListenRelayRequest(string Relay) : IApiRequest<ListenRelayRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.ListenRelay;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("relay", Relay);
    }

    public static ListenRelayRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("relay", ApiLimits.MaxName));
    }
}
