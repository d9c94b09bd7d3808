namespace Ockam.Messaging.Api.Operations;

/// <summary>A room's (<c>room</c>) or topic's (<c>topic</c>) epoch and members.</summary>
public sealed record GetRoomRequest(string? Room, string? Topic) : IApiRequest<GetRoomRequest, GetRoomResponse>
{
    public static ApiOperation Operation => ApiOperation.GetRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.OptionalText("room", Room);
        body.OptionalText("topic", Topic);
    }

    public static GetRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.OptionalText("room", ApiLimits.MaxName), body.OptionalText("topic", ApiLimits.MaxName));
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
