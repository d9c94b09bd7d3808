using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api;

/// <summary>
/// Reads a body written by <see cref="ApiBodyWriter"/>: the map is read once (canonical, unique text keys), then
/// each field by name with its type and bound. A missing required field, a value of the wrong type or size, and
/// (at <see cref="EnsureAllRead"/>) a field nobody asked for are <see cref="OckamDecodeException"/>s.
/// </summary>
public sealed class ApiBodyReader
{
    /// <summary>Fields in one body; the largest operation has a handful.</summary>
    public const int MaxFields = 32;
    public const int MaxNameSize = 64;

    private readonly Dictionary<string, ReadOnlyMemory<byte>> fields;
    private readonly HashSet<string> read = new(StringComparer.Ordinal);
    private readonly string what;

    private ApiBodyReader(Dictionary<string, ReadOnlyMemory<byte>> fields, string what)
    {
        this.fields = fields;
        this.what = what;
    }

    /// <exception cref="OckamDecodeException">Not a canonical map of text names, or larger than <paramref name="maxSize"/>.</exception>
    public static ApiBodyReader Read(ReadOnlyMemory<byte> body, int maxSize, string what) =>
        CborDecoder.Decode(body, maxSize, what, d => Read(d, what));

    public string Text(string name, int maxBytes) => Required(name, d => d.ReadText(maxBytes));

    public string? OptionalText(string name, int maxBytes) => Optional(name, d => d.ReadText(maxBytes));

    public ReadOnlyMemory<byte> Bytes(string name, int maxBytes) => Required(name, d => (ReadOnlyMemory<byte>)d.ReadBytes(0, maxBytes));

    public ReadOnlyMemory<byte>? OptionalBytes(string name, int maxBytes) => fields.ContainsKey(name) ? Bytes(name, maxBytes) : (ReadOnlyMemory<byte>?)null;

    public ulong Number(string name) => Required(name, d => d.ReadUInt64());

    public ulong? OptionalNumber(string name) => fields.ContainsKey(name) ? Number(name) : null;

    public bool Bool(string name) => Required(name, d => d.ReadBoolean());

    public IReadOnlyList<string> TextList(string name, int maxItems, int maxBytes) =>
        Required(name, d => ReadArray(d, maxItems, () => d.ReadText(maxBytes)));

    public IReadOnlyList<ReadOnlyMemory<byte>> BytesList(string name, int maxItems, int maxBytes) =>
        Required(name, d => ReadArray(d, maxItems, () => (ReadOnlyMemory<byte>)d.ReadBytes(0, maxBytes)));

    /// <summary>A <c>{text: text}</c> map, empty when the field is absent.</summary>
    public IReadOnlyDictionary<string, string> OptionalTextMap(string name, int maxEntries, int maxKeyBytes, int maxValueBytes) =>
        Optional(name, d =>
        {
            var count = d.ReadMapStart(maxEntries);
            var map = new Dictionary<string, string>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                // The canonical reader already refuses duplicate and unsorted keys.
                map[d.ReadText(maxKeyBytes)] = d.ReadText(maxValueBytes);
            }

            d.ReadMapEnd();
            return map;
        }) ?? new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>An array of bodies, each read (and checked for unknown fields) by <paramref name="readItem"/>.</summary>
    public IReadOnlyList<T> List<T>(string name, int maxItems, Func<ApiBodyReader, T> readItem)
    {
        ArgumentNullException.ThrowIfNull(readItem);
        return Required(name, d => ReadArray(d, maxItems, () =>
        {
            var item = Read(d, $"{what} '{name}'");
            var value = readItem(item);
            item.EnsureAllRead();
            return value;
        }));
    }

    /// <exception cref="OckamDecodeException">The body holds a field no getter asked for.</exception>
    public void EnsureAllRead()
    {
        if (fields.Keys.FirstOrDefault(name => !read.Contains(name)) is { } unknown)
        {
            throw new OckamDecodeException($"{what}: unknown field '{unknown}'");
        }
    }

    private static ApiBodyReader Read(CborDecoder d, string what)
    {
        var count = d.ReadMapStart(MaxFields);
        var fields = new Dictionary<string, ReadOnlyMemory<byte>>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            // Canonical order makes duplicate keys an error already.
            fields[d.ReadText(MaxNameSize)] = d.ReadEncodedValue();
        }

        d.ReadMapEnd();
        return new ApiBodyReader(fields, what);
    }

    private static List<T> ReadArray<T>(CborDecoder d, int maxItems, Func<T> readItem)
    {
        var count = d.ReadArrayStart(maxItems);
        var items = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(readItem());
        }

        d.ReadArrayEnd();
        return items;
    }

    private T Required<T>(string name, Func<CborDecoder, T> readValue) =>
        fields.ContainsKey(name) ? Optional(name, readValue)! : throw new OckamDecodeException($"{what}: missing field '{name}'");

    private T? Optional<T>(string name, Func<CborDecoder, T> readValue)
    {
        if (!fields.TryGetValue(name, out var encoded))
        {
            return default;
        }

        read.Add(name);
        return CborDecoder.Decode(encoded, encoded.Length, $"{what} '{name}'", readValue);
    }
}
