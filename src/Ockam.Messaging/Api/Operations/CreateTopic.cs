namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// Create topic <c>topic</c> from the creator's MLS group of epoch 0 (<c>group-info</c>, <c>ratchet-tree</c>), with its
/// <c>subscribe-policy</c> and <c>publish-policy</c> (ABAC; default <c>false</c>).
/// </summary>
public sealed record CreateTopicRequest(
    string Topic, ReadOnlyMemory<byte> GroupInfo, ReadOnlyMemory<byte> RatchetTree, string SubscribePolicy = "false", string PublishPolicy = "false", string? Relay = null)
    : IApiRequest<CreateTopicRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.CreateTopic;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("topic", Topic);
        body.Bytes("group-info", GroupInfo);
        body.Bytes("ratchet-tree", RatchetTree);
        body.Text("subscribe-policy", SubscribePolicy);
        body.Text("publish-policy", PublishPolicy);
        body.OptionalText("relay", Relay);
    }

    public static CreateTopicRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(
            body.Text("topic", ApiLimits.MaxName),
            body.Bytes("group-info", ApiLimits.MaxBytes),
            body.Bytes("ratchet-tree", ApiLimits.MaxBytes),
            body.OptionalText("subscribe-policy", ApiLimits.MaxText) ?? "false",
            body.OptionalText("publish-policy", ApiLimits.MaxText) ?? "false",
            body.OptionalText("relay", ApiLimits.MaxName));
    }
}
