namespace Ockam.Messaging.Api.Operations;

/// <summary>Ask to join topic <c>topic</c>, fan-out through the caller's <c>relay</c>; an admin's commit adds it.</summary>
public sealed record SubscribeTopicRequest(string Topic, string? Relay = null) : IApiRequest<SubscribeTopicRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.SubscribeTopic;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("topic", Topic);
        body.OptionalText("relay", Relay);
    }

    public static SubscribeTopicRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("topic", ApiLimits.MaxName), body.OptionalText("relay", ApiLimits.MaxName));
    }
}
