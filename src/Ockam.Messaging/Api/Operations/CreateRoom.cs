namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// Create room <c>room</c> from the creator's MLS group of epoch 0: its signed <c>group-info</c> (RFC 9420 §12.4.3)
/// and its <c>ratchet-tree</c> (§12.4.3.3), public both; fan-out through the caller's <c>relay</c>.
/// </summary>
public sealed record CreateRoomRequest(string Room, ReadOnlyMemory<byte> GroupInfo, ReadOnlyMemory<byte> RatchetTree, string? Relay = null) : IApiRequest<CreateRoomRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.CreateRoom;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("room", Room);
        body.Bytes("group-info", GroupInfo);
        body.Bytes("ratchet-tree", RatchetTree);
        body.OptionalText("relay", Relay);
    }

    public static CreateRoomRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(
            body.Text("room", ApiLimits.MaxName),
            body.Bytes("group-info", ApiLimits.MaxBytes),
            body.Bytes("ratchet-tree", ApiLimits.MaxBytes),
            body.OptionalText("relay", ApiLimits.MaxName));
    }
}
