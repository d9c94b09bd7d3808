namespace Ockam.Messaging.Api.Operations;

/// <summary>Create room <c>room</c> from its first <c>commit</c>; fan-out through the caller's <c>relay</c>.</summary>
public sealed record CreateRoomRequest(string Room, ReadOnlyMemory<byte> Commit, string? Relay = null) : IApiRequest<CreateRoomRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.CreateRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("room", Room);
        body.Bytes("commit", Commit);
        body.OptionalText("relay", Relay);
    }

    public static CreateRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("room", ApiLimits.MaxName), body.Bytes("commit", ApiLimits.MaxBytes), body.OptionalText("relay", ApiLimits.MaxName));
    }
}
