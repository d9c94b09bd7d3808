namespace Ockam.Messaging.Api.Operations;

/// <summary>The Welcome that adds the caller to a room (<c>room</c>) or topic (<c>topic</c>), if one waits for it.</summary>
public sealed record GetWelcomeRequest(GroupId Group) : IApiRequest<GetWelcomeRequest, GetWelcomeResponse>
{
    public static ApiOperation Operation => ApiOperation.GetWelcome;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Group.Write(body);
    }

    public static GetWelcomeRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(GroupId.Read(body));
    }
}

/// <summary>
/// A <c>welcome</c> (an MLSMessage) into <c>epoch</c>, made by the commit at <c>index</c> of the log; the ratchet tree
/// of that epoch is <c>tree-length</c> bytes, fetched in pages (<see cref="GetRoomTreeRequest"/>) whatever its size.
/// </summary>
public sealed record GetWelcomeResponse(ReadOnlyMemory<byte> Welcome, ulong Epoch, ulong Index, ulong TreeLength) : IApiBody<GetWelcomeResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bytes("welcome", Welcome);
        body.Number("epoch", Epoch);
        body.Number("index", Index);
        body.Number("tree-length", TreeLength);
    }

    public static GetWelcomeResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Bytes("welcome", ApiLimits.MaxBytes), body.Number("epoch"), body.Number("index"), body.Number("tree-length"));
    }
}
