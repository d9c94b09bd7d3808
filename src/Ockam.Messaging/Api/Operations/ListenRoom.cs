namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// The caller, a member of a room (<c>room</c>) or topic (<c>topic</c>), names where its deliveries go: its own
/// <c>relay</c>, or without one the reply relay of the connection it asks on. Only the member names its route.
/// </summary>
public sealed record ListenRoomRequest(GroupId Group, string? Relay = null) : IApiRequest<ListenRoomRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.ListenRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Group.Write(body);
        body.OptionalText("relay", Relay);
    }

    public static ListenRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(GroupId.Read(body), body.OptionalText("relay", ApiLimits.MaxName));
    }
}
