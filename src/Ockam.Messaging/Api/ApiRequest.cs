using System.Globalization;
using System.Text;
using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api;

/// <summary>A request: <c>{0: version, 1: id, 2: operation, 3: {name: bytes}}</c>, canonical CBOR, at most 128 KiB.</summary>
public sealed record ApiRequest(ulong Id, ApiOperation Operation, IReadOnlyDictionary<string, byte[]> Arguments)
{
    public const uint Version = 1;
    public const int MaxSize = 128 * 1024;
    public const int MaxArguments = 72;

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(4);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteUInt64(Id);
        w.WriteUInt32(2);
        w.WriteUInt32((uint)Operation);
        w.WriteUInt32(3);
        ApiCodec.WriteNamedBytes(w, Arguments);
        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, oversized, an unknown version or operation.</exception>
    public static ApiRequest Decode(ReadOnlyMemory<byte> encoded) => Decode(encoded, MaxSize);

    /// <summary>Decodes with a larger bound, so that a service can still name the request it refuses as too large.</summary>
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
            var arguments = ApiCodec.ReadNamedBytes(d, MaxArguments);
            d.ReadMapEnd();
            return new ApiRequest(id, (ApiOperation)operation, arguments);
        });

    public string? Text(string name) => Arguments.TryGetValue(name, out var value) ? Utf8.TryDecode(value) : null;

    public ulong? Number(string name) =>
        Text(name) is { } text && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static byte[] TextValue(string value) => Encoding.UTF8.GetBytes(value);

    public static byte[] NumberValue(ulong value) => TextValue(value.ToString(CultureInfo.InvariantCulture));
}
