namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// A room's (<c>room</c>) or topic's (<c>topic</c>) next epoch (<c>commit</c>). It names no delivery route: each
/// member names its own (<see cref="ListenRoomRequest"/>).
/// </summary>
public sealed record CommitRoomRequest(GroupId Group, ReadOnlyMemory<byte> Commit) : IApiRequest<CommitRoomRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.CommitRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Group.Write(body);
        body.Bytes("commit", Commit);
    }

    public static CommitRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(GroupId.Read(body), body.Bytes("commit", ApiLimits.MaxBytes));
    }
}
