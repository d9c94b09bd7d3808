namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// One page of a room's log, <c>entries</c> (<c>[{index, epoch, kind, bytes}]</c>, oldest first: commits and messages in
/// the one order the Delivery Service gave them) and <c>more</c> when the room holds more: ask again after the last index.
/// </summary>
public sealed record CatchUpRoomResponse(IReadOnlyList<RoomLogEntry> Entries, bool More) : IApiBody<CatchUpRoomResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.List("entries", Entries, (item, e) => e.Write(item));
        body.Bool("more", More);
    }

    public static CatchUpRoomResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.List("entries", ApiLimits.MaxItems, RoomLogEntry.Read), body.Bool("more"));
    }
}
