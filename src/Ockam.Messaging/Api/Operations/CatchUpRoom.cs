namespace Ockam.Messaging.Api.Operations;

/// <summary>One page of a room's (<c>room</c>) or topic's (<c>topic</c>) log: the entries after <c>index</c>, oldest first.</summary>
public sealed record CatchUpRoomRequest(GroupId Group, ulong Index = 0) : IApiRequest<CatchUpRoomRequest, CatchUpRoomResponse>
{
    public static ApiOperation Operation => ApiOperation.CatchUpRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Group.Write(body);
        body.Number("index", Index);
    }

    public static CatchUpRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(GroupId.Read(body), body.OptionalNumber("index") ?? 0);
    }
}
