namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// One page of a room's log: <c>commits</c> (bytes, oldest first), <c>messages</c> (<c>[{index, message}]</c>) and
/// <c>more</c> when the room holds more: ask again after the last commit's epoch and message index.
/// </summary>
public sealed record CatchUpRoomResponse(IReadOnlyList<ReadOnlyMemory<byte>> Commits, IReadOnlyList<IndexedMessage> Messages, bool More)
    : IApiBody<CatchUpRoomResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.BytesList("commits", Commits);
        body.List("messages", Messages, (item, m) => m.Write(item));
        body.Bool("more", More);
    }

    public static CatchUpRoomResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(
            body.BytesList("commits", ApiLimits.MaxItems, ApiLimits.MaxBytes),
            body.List("messages", ApiLimits.MaxItems, IndexedMessage.Read),
            body.Bool("more"));
    }
}
