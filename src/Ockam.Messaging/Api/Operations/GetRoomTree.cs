namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// Bytes of a room's (<c>room</c>) or topic's (<c>topic</c>) ratchet tree of <c>epoch</c> from <c>offset</c>: a joiner
/// reads the tree its Welcome names page by page, so no tree is too large to reach it. It trusts none of it: the tree
/// must hash to the tree_hash of the Welcome's signed GroupInfo.
/// </summary>
public sealed record GetRoomTreeRequest(GroupId Group, ulong Epoch, ulong Offset) : IApiRequest<GetRoomTreeRequest, GetRoomTreeResponse>
{
    public static ApiOperation Operation => ApiOperation.GetRoomTree;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Group.Write(body);
        body.Number("epoch", Epoch);
        body.Number("offset", Offset);
    }

    public static GetRoomTreeRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(GroupId.Read(body), body.Number("epoch"), body.Number("offset"));
    }
}

/// <summary>One page of a ratchet tree's bytes (<c>chunk</c>), at most one answer's worth.</summary>
public sealed record GetRoomTreeResponse(ReadOnlyMemory<byte> Chunk) : IApiBody<GetRoomTreeResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bytes("chunk", Chunk);
    }

    public static GetRoomTreeResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Bytes("chunk", ApiLimits.MaxBytes));
    }
}
