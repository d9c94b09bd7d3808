using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api;

/// <summary>
/// A request: <c>{0: version, 1: id, 2: operation, 3: body}</c>, canonical CBOR, at most 128 KiB. The body is a
/// map of named, typed fields (<see cref="ApiBodyWriter"/>); the operation's request record reads it.
/// </summary>
public sealed record ApiRequest(ulong Id, ApiOperation Operation, ReadOnlyMemory<byte> Body)
{
    public const uint Version = 2;
    public const int MaxSize = 128 * 1024;

    public static ApiRequest Create<TRequest, TResponse>(ulong id, IApiRequest<TRequest, TResponse> request)
        where TRequest : IApiRequest<TRequest, TResponse>
        where TResponse : IApiBody<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new ApiBodyWriter();
        request.Write(body);
        return new ApiRequest(id, TRequest.Operation, body.Encode());
    }

    /// <exception cref="ArgumentException">The body is not one well-formed canonical CBOR value.</exception>
    public byte[] Encode()
    {
        try
        {
            return CborEncoder.Encode(w =>
            {
                w.WriteStartMap(4);
                w.WriteUInt32(0);
                w.WriteUInt32(Version);
                w.WriteUInt32(1);
                w.WriteUInt64(Id);
                w.WriteUInt32(2);
                w.WriteUInt32((uint)Operation);
                w.WriteUInt32(3);
                w.WriteEncodedValue(Body.Span);
                w.WriteEndMap();
            });
        }
        catch (System.Formats.Cbor.CborContentException e)
        {
            throw new ArgumentException("the body is not canonical CBOR", nameof(Body), e);
        }
    }

    /// <exception cref="OckamDecodeException">Malformed, oversized, an unknown version or operation.</exception>
    public static ApiRequest Decode(ReadOnlyMemory<byte> encoded) => Decode(encoded, MaxSize);

    /// <summary>Decodes with a larger bound, so that a service can still name the request it refuses as too large.</summary>
    /// <remarks>The body is kept as its canonical bytes: the operation's request record reads it.</remarks>
    public static ApiRequest Decode(ReadOnlyMemory<byte> encoded, int maxSize) =>
        CborDecoder.Decode(encoded, maxSize, "request", d =>
        {
            if (d.ReadMapStart(4) != 4)
            {
                throw d.Error("a request has exactly four fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var id = d.ReadUInt64();
            d.ExpectKey(2);
            var operation = d.ReadUInt32();
            if (!Enum.IsDefined((ApiOperation)operation))
            {
                throw d.Error($"unknown operation {operation}");
            }

            d.ExpectKey(3);
            var body = d.ReadEncodedValue();
            d.ReadMapEnd();
            return new ApiRequest(id, (ApiOperation)operation, body);
        });
}
