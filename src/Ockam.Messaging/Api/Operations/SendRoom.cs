namespace Ockam.Messaging.Api.Operations;

/// <summary>Send a group <c>message</c> to a room (<c>room</c>) or topic (<c>topic</c>).</summary>
public sealed record SendRoomRequest(string? Room, string? Topic, ReadOnlyMemory<byte> Message) : IApiRequest<SendRoomRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.SendRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.OptionalText("room", Room);
        body.OptionalText("topic", Topic);
        body.Bytes("message", Message);
    }

    public static SendRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.OptionalText("room", ApiLimits.MaxName), body.OptionalText("topic", ApiLimits.MaxName), body.Bytes("message", ApiLimits.MaxBytes));
    }
}
