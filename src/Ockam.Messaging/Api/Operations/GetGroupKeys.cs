namespace Ockam.Messaging.Api.Operations;

/// <summary>An identity's history and group key attestations (<c>subject</c>), to invite it.</summary>
public sealed record GetGroupKeysRequest(string Subject) : IApiRequest<GetGroupKeysRequest, GetGroupKeysResponse>
{
    public static ApiOperation Operation => ApiOperation.GetGroupKeys;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("subject", Subject);
    }

    public static GetGroupKeysRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("subject", ApiLimits.MaxName));
    }
}

/// <summary>An identity's change history and its group key attestations.</summary>
public sealed record GetGroupKeysResponse(ReadOnlyMemory<byte> History, ReadOnlyMemory<byte> Agreement, ReadOnlyMemory<byte> Signing) : IApiBody<GetGroupKeysResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bytes("history", History);
        body.Bytes("agreement", Agreement);
        body.Bytes("signing", Signing);
    }

    public static GetGroupKeysResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Bytes("history", ApiLimits.MaxBytes), body.Bytes("agreement", ApiLimits.MaxBytes), body.Bytes("signing", ApiLimits.MaxBytes));
    }
}
