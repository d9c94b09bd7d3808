namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// The Delivery Service's answer to a commit: <c>accepted</c> (the commit is the epoch's, at <c>index</c> of the log),
/// or not, because another commit for the same epoch came first: then <c>winner</c> is that commit, for the committer
/// to process before trying again.
/// </summary>
public sealed record CommitRoomResponse(bool Accepted, ulong Index, ReadOnlyMemory<byte> Winner) : IApiBody<CommitRoomResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bool("accepted", Accepted);
        body.Number("index", Index);
        body.Bytes("winner", Winner);
    }

    public static CommitRoomResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Bool("accepted"), body.Number("index"), body.Bytes("winner", ApiLimits.MaxBytes));
    }
}
