using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api;

/// <summary>Encodes and decodes whole bodies: <see cref="IApiBody{TSelf}"/> values to canonical maps and back.</summary>
public static class ApiBody
{
    /// <summary>The empty map: the body of an operation that carries nothing.</summary>
    public static ReadOnlyMemory<byte> Empty { get; } = new ApiBodyWriter().Encode();

    public static byte[] Encode<T>(T value)
        where T : IApiBody<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        var writer = new ApiBodyWriter();
        value.Write(writer);
        return writer.Encode();
    }

    /// <exception cref="OckamDecodeException">Not a body of <typeparamref name="T"/>: a field missing, unknown, of the wrong type or too large.</exception>
    public static T Decode<T>(ReadOnlyMemory<byte> encoded, int maxSize, string what)
        where T : IApiBody<T>
    {
        var reader = ApiBodyReader.Read(encoded, maxSize, what);
        var value = T.Read(reader);
        reader.EnsureAllRead();
        return value;
    }
}
