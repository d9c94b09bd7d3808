namespace Ockam.Messaging.Api.Operations;

/// <summary>Whether relay <c>relay</c> exists, its owner and whether it is online.</summary>
public sealed record GetRelayRequest(string Relay) : IApiRequest<GetRelayRequest, GetRelayResponse>
{
    public static ApiOperation Operation => ApiOperation.GetRelay;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("relay", Relay);
    }

    public static GetRelayRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("relay", ApiLimits.MaxName));
    }
}

/// <summary>A relay's owner (<c>owner</c>) and whether it listens now (<c>online</c>).</summary>
public sealed record GetRelayResponse(string Owner, bool Online) : IApiBody<GetRelayResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("owner", Owner);
        body.Bool("online", Online);
    }

    public static GetRelayResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("owner", ApiLimits.MaxName), body.Bool("online"));
    }
}
