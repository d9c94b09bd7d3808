namespace Ockam.Messaging.Api.Operations;

/// <summary>Send a group <c>message</c> to a room (<c>room</c>) or topic (<c>topic</c>).</summary>
public sealed record SendRoomRequest(GroupId Group, ReadOnlyMemory<byte> Message) : IApiRequest<SendRoomRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.SendRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Group.Write(body);
        body.Bytes("message", Message);
    }

    public static SendRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(GroupId.Read(body), body.Bytes("message", ApiLimits.MaxBytes));
    }
}
