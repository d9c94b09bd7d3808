namespace Ockam.Messaging.Api.Operations;

/// <summary>A group message (<c>message</c>) at its place in the room's log (<c>index</c>).</summary>
public sealed record IndexedMessage(ulong Index, ReadOnlyMemory<byte> Message) : IApiBody<IndexedMessage>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Number("index", Index);
        body.Bytes("message", Message);
    }

    public static IndexedMessage Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Number("index"), body.Bytes("message", ApiLimits.MaxBytes));
    }
}
