namespace Ockam.Messaging.Api.Operations;

/// <summary>Publish this identity's group key attestations (<c>agreement</c>, <c>signing</c>).</summary>
public sealed record PublishGroupKeysRequest(ReadOnlyMemory<byte> Agreement, ReadOnlyMemory<byte> Signing) : IApiRequest<PublishGroupKeysRequest, EmptyResponse>
{
    public static ApiOperation Operation => ApiOperation.PublishGroupKeys;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bytes("agreement", Agreement);
        body.Bytes("signing", Signing);
    }

    public static PublishGroupKeysRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Bytes("agreement", ApiLimits.MaxBytes), body.Bytes("signing", ApiLimits.MaxBytes));
    }
}
