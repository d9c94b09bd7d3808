namespace Ockam.Messaging.Api.Operations;

/// <summary>One entry of a room's log: its place (<c>index</c>), the <c>epoch</c> it belongs to, its <c>kind</c> and its MLS <c>bytes</c>.</summary>
public sealed record RoomLogEntry(ulong Index, ulong Epoch, GroupDeliveryKind Kind, ReadOnlyMemory<byte> Bytes) : IApiBody<RoomLogEntry>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Number("index", Index);
        body.Number("epoch", Epoch);
        body.Number("kind", (ulong)Kind);
        body.Bytes("bytes", Bytes);
    }

    public static RoomLogEntry Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var index = body.Number("index");
        var epoch = body.Number("epoch");
        var kind = body.Number("kind");
        if (kind is not ((ulong)GroupDeliveryKind.Commit or (ulong)GroupDeliveryKind.Message))
        {
            throw new Ockam.Identity.Encoding.OckamDecodeException($"room log entry: unknown kind {kind}");
        }

        return new(index, epoch, (GroupDeliveryKind)kind, body.Bytes("bytes", ApiLimits.MaxBytes));
    }
}
