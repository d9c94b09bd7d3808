using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api;

/// <summary>A response: <c>{0: version, 1: request id, 2: status, 3: body, 4?: error text}</c>; the body is empty unless the status is ok.</summary>
public sealed record ApiResponse(ulong Id, ApiStatus Status, ReadOnlyMemory<byte> Body, string? Error = null)
{
    public const uint Version = 2;
    public const int MaxSize = 200 * 1024;
    public const int MaxErrorSize = 4096;

    public static ApiResponse Ok(ulong id, ReadOnlyMemory<byte> body) => new(id, ApiStatus.Ok, body);

    public static ApiResponse Failed(ulong id, ApiStatus status, string error) => new(id, status, ApiBody.Empty, error);

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(Error is null ? 4 : 5);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteUInt64(Id);
        w.WriteUInt32(2);
        w.WriteUInt32((uint)Status);
        w.WriteUInt32(3);
        w.WriteEncodedValue(Body.Span);
        if (Error is not null)
        {
            w.WriteUInt32(4);
            w.WriteTextString(Error);
        }

        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static ApiResponse Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "response", d =>
        {
            var fields = d.ReadMapStart(5);
            if (fields is not (4 or 5))
            {
                throw d.Error("a response has four or five fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var id = d.ReadUInt64();
            d.ExpectKey(2);
            var status = d.ReadUInt32();
            if (!Enum.IsDefined((ApiStatus)status))
            {
                throw d.Error($"unknown status {status}");
            }

            d.ExpectKey(3);
            var body = d.ReadEncodedValue();
            string? error = null;
            if (fields == 5)
            {
                d.ExpectKey(4);
                error = d.ReadText(MaxErrorSize);
            }

            d.ReadMapEnd();
            return new ApiResponse(id, (ApiStatus)status, body, error);
        });
}
