namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// A room's (<c>room</c>) or topic's (<c>topic</c>) next epoch: an MLS <c>commit</c> (a PublicMessage) and, when it
/// adds members, their <c>welcome</c>. It names no delivery route: each member names its own (<see cref="ListenRoomRequest"/>).
/// </summary>
public sealed record CommitRoomRequest(GroupId Group, ReadOnlyMemory<byte> Commit, ReadOnlyMemory<byte>? Welcome = null) : IApiRequest<CommitRoomRequest, CommitRoomResponse>
{
    public static ApiOperation Operation => ApiOperation.CommitRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Group.Write(body);
        body.Bytes("commit", Commit);
        if (Welcome is { } welcome)
        {
            body.Bytes("welcome", welcome);
        }
    }

    public static CommitRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(GroupId.Read(body), body.Bytes("commit", ApiLimits.MaxBytes), body.OptionalBytes("welcome", ApiLimits.MaxBytes));
    }
}
