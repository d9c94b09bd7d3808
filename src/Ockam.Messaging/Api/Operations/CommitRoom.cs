namespace Ockam.Messaging.Api.Operations;

/// <summary>A room's (<c>room</c>) or topic's (<c>topic</c>) next epoch (<c>commit</c>), with <c>relays</c> (<c>{identifier: relay}</c>) for new members.</summary>
public sealed record CommitRoomRequest(string? Room, string? Topic, ReadOnlyMemory<byte> Commit, IReadOnlyDictionary<string, string> Relays)
    : IApiRequest<CommitRoomRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.CommitRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.OptionalText("room", Room);
        body.OptionalText("topic", Topic);
        body.Bytes("commit", Commit);
        body.TextMap("relays", Relays);
    }

    public static CommitRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(
            body.OptionalText("room", ApiLimits.MaxName),
            body.OptionalText("topic", ApiLimits.MaxName),
            body.Bytes("commit", ApiLimits.MaxBytes),
            body.OptionalTextMap("relays", ApiLimits.MaxItems, ApiLimits.MaxName, ApiLimits.MaxName));
    }
}
