namespace Ockam.Messaging.Api.Operations;

/// <summary>Create topic <c>topic</c> from its first <c>commit</c>, with its <c>subscribe-policy</c> and <c>publish-policy</c> (ABAC; default <c>false</c>).</summary>
public sealed record CreateTopicRequest(string Topic, ReadOnlyMemory<byte> Commit, string SubscribePolicy = "false", string PublishPolicy = "false", string? Relay = null) : IApiRequest<CreateTopicRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.CreateTopic;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("topic", Topic);
        body.Bytes("commit", Commit);
        body.Text("subscribe-policy", SubscribePolicy);
        body.Text("publish-policy", PublishPolicy);
        body.OptionalText("relay", Relay);
    }

    public static CreateTopicRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("topic", ApiLimits.MaxName), body.Bytes("commit", ApiLimits.MaxBytes), body.OptionalText("subscribe-policy", ApiLimits.MaxText) ?? "false", body.OptionalText("publish-policy", ApiLimits.MaxText) ?? "false", body.OptionalText("relay", ApiLimits.MaxName));
    }
}
