using System.Formats.Cbor;
using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api;

/// <summary>
/// Writes a request or response body: a canonical CBOR map whose keys are the fields' names (text) and whose
/// values are typed (uint, text, bytes, bool, arrays, maps) — never a number as decimal text.
/// </summary>
public sealed class ApiBodyWriter
{
    private readonly SortedDictionary<string, Action<CborWriter>> fields = new(CanonicalTextOrder.Instance);

    public void Text(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Add(name, w => w.WriteTextString(value));
    }

    /// <summary>Writes <paramref name="value"/> if it is not null; an absent field is how a body says "none".</summary>
    public void OptionalText(string name, string? value)
    {
        if (value is not null)
        {
            Text(name, value);
        }
    }

    public void Bytes(string name, ReadOnlyMemory<byte> value) => Add(name, w => w.WriteByteString(value.Span));

    public void Number(string name, ulong value) => Add(name, w => w.WriteUInt64(value));

    public void OptionalNumber(string name, ulong? value)
    {
        if (value is { } number)
        {
            Number(name, number);
        }
    }

    public void Bool(string name, bool value) => Add(name, w => w.WriteBoolean(value));

    public void TextList(string name, IEnumerable<string> values)
    {
        var items = values.ToArray();
        Add(name, w =>
        {
            w.WriteStartArray(items.Length);
            foreach (var item in items)
            {
                w.WriteTextString(item);
            }

            w.WriteEndArray();
        });
    }

    public void BytesList(string name, IEnumerable<ReadOnlyMemory<byte>> values)
    {
        var items = values.ToArray();
        Add(name, w =>
        {
            w.WriteStartArray(items.Length);
            foreach (var item in items)
            {
                w.WriteByteString(item.Span);
            }

            w.WriteEndArray();
        });
    }

    /// <summary>A <c>{text: text}</c> map, in canonical key order.</summary>
    public void TextMap(string name, IReadOnlyDictionary<string, string> values)
    {
        var items = values.OrderBy(v => v.Key, CanonicalTextOrder.Instance).ToArray();
        Add(name, w =>
        {
            w.WriteStartMap(items.Length);
            foreach (var (key, value) in items)
            {
                w.WriteTextString(key);
                w.WriteTextString(value);
            }

            w.WriteEndMap();
        });
    }

    /// <summary>An array of bodies, each written by <paramref name="write"/>.</summary>
    public void List<T>(string name, IEnumerable<T> values, Action<ApiBodyWriter, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var items = values.Select(v =>
        {
            var body = new ApiBodyWriter();
            write(body, v);
            return body;
        }).ToArray();
        Add(name, w =>
        {
            w.WriteStartArray(items.Length);
            foreach (var item in items)
            {
                item.WriteTo(w);
            }

            w.WriteEndArray();
        });
    }

    public byte[] Encode() => CborEncoder.Encode(WriteTo);

    internal void WriteTo(CborWriter writer)
    {
        writer.WriteStartMap(fields.Count);
        foreach (var (name, write) in fields)
        {
            writer.WriteTextString(name);
            write(writer);
        }

        writer.WriteEndMap();
    }

    private void Add(string name, Action<CborWriter> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!fields.TryAdd(name, write))
        {
            throw new ArgumentException($"field '{name}' written twice", nameof(name));
        }
    }
}
