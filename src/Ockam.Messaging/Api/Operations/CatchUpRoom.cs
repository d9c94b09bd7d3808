namespace Ockam.Messaging.Api.Operations;

/// <summary>Commits after <c>epoch</c> and messages after <c>index</c> of a room (<c>room</c>) or topic (<c>topic</c>), one page.</summary>
public sealed record CatchUpRoomRequest(GroupId Group, ulong Epoch = 0, ulong Index = 0) : IApiRequest<CatchUpRoomRequest, CatchUpRoomResponse>
{
    public static ApiOperation Operation => ApiOperation.CatchUpRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Group.Write(body);
        body.Number("epoch", Epoch);
        body.Number("index", Index);
    }

    public static CatchUpRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(GroupId.Read(body), body.OptionalNumber("epoch") ?? 0, body.OptionalNumber("index") ?? 0);
    }
}
