namespace Ockam.Messaging.Api.Operations;

/// <summary>A room's (<c>room</c>) or topic's (<c>topic</c>) epoch and members.</summary>
public sealed record GetRoomRequest(GroupId Group) : IApiRequest<GetRoomRequest, GetRoomResponse>
{
    public static ApiOperation Operation => ApiOperation.GetRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Group.Write(body);
    }

    public static GetRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(GroupId.Read(body));
    }
}

/// <summary>A room's <c>epoch</c>, its <c>members</c> and the subscribers admitted but not yet added (<c>pending</c>).</summary>
public sealed record GetRoomResponse(ulong Epoch, IReadOnlyList<string> Members, IReadOnlyList<string> Pending) : IApiBody<GetRoomResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Number("epoch", Epoch);
        body.TextList("members", Members);
        body.TextList("pending", Pending);
    }

    public static GetRoomResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Number("epoch"), body.TextList("members", ApiLimits.MaxItems, ApiLimits.MaxName), body.TextList("pending", ApiLimits.MaxItems, ApiLimits.MaxName));
    }
}
