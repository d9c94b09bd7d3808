using System.Formats.Cbor;

namespace Ockam.Identity.Encoding;

/// <summary>
/// A strict reader over canonical CBOR (RFC 7049 §3.9): definite lengths, shortest integers,
/// sorted unique map keys. Every read is bounded; every failure becomes <see cref="OckamDecodeException"/>.
/// </summary>
/// <remarks>
/// Public so that the layers above (routing, secure channels, the edge API) decode their own structures with the same
/// bounds and errors as the identity layer; only what they need is public.
/// </remarks>
public sealed class CborDecoder
{
    private readonly CborReader reader;
    private readonly string what;
    private int depth;

    private CborDecoder(ReadOnlyMemory<byte> input, string what)
    {
        reader = new CborReader(input, CborConformanceMode.Canonical);
        this.what = what;
    }

    /// <summary>
    /// Decodes exactly one value of at most <paramref name="maxSize"/> bytes with <paramref name="read"/>; trailing
    /// bytes are an error. <paramref name="what"/> names the structure in error messages.
    /// </summary>
    /// <exception cref="OckamDecodeException">The input is empty, too large, malformed, not canonical or not as <paramref name="read"/> expects.</exception>
    public static T Decode<T>(ReadOnlyMemory<byte> input, int maxSize, string what, Func<CborDecoder, T> read)
    {
        if (input.Length > maxSize)
        {
            throw new OckamDecodeException($"{what}: {input.Length} bytes exceeds the limit of {maxSize}");
        }

        if (input.IsEmpty)
        {
            throw new OckamDecodeException($"{what}: empty input");
        }

        var decoder = new CborDecoder(input, what);
        try
        {
            var value = read(decoder);
            if (decoder.reader.BytesRemaining != 0)
            {
                throw new OckamDecodeException($"{what}: {decoder.reader.BytesRemaining} trailing bytes");
            }

            return value;
        }
        catch (CborContentException e)
        {
            throw new OckamDecodeException($"{what}: malformed CBOR: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // CborReader throws this when the next item is not of the type the schema expects.
            throw new OckamDecodeException($"{what}: unexpected CBOR item: {e.Message}", e);
        }
        catch (OverflowException e)
        {
            throw new OckamDecodeException($"{what}: integer out of range", e);
        }
    }

    /// <summary>An error about the structure being decoded, naming it, for the read function to throw.</summary>
    public OckamDecodeException Error(string message) => new($"{what}: {message}");

    /// <summary>Reads a definite-length map header of at most <paramref name="maxEntries"/> entries and returns its entry count.</summary>
    public int ReadMapStart(int maxEntries)
    {
        Enter();
        var count = reader.ReadStartMap() ?? throw Error("indefinite-length map");
        if (count > maxEntries)
        {
            throw Error($"map of {count} entries exceeds the limit of {maxEntries}");
        }

        return count;
    }

    /// <summary>Reads the end of the current map.</summary>
    public void ReadMapEnd()
    {
        reader.ReadEndMap();
        depth--;
    }

    /// <summary>Reads a definite-length array header of at most <paramref name="maxItems"/> items and returns its item count.</summary>
    public int ReadArrayStart(int maxItems)
    {
        Enter();
        var count = reader.ReadStartArray() ?? throw Error("indefinite-length array");
        if (count > maxItems)
        {
            throw Error($"array of {count} items exceeds the limit of {maxItems}");
        }

        return count;
    }

    /// <summary>Reads the end of the current array.</summary>
    public void ReadArrayEnd()
    {
        reader.ReadEndArray();
        depth--;
    }

    internal uint ReadKey() => reader.ReadUInt32();

    /// <summary>Reads a map key that the schema requires to be <paramref name="expected"/>.</summary>
    public void ExpectKey(uint expected)
    {
        var key = reader.ReadUInt32();
        if (key != expected)
        {
            throw Error($"expected field {expected}, found {key}");
        }
    }

    /// <summary>Reads the version field (key 0) and rejects anything but <paramref name="expected"/>.</summary>
    public void ReadVersion(uint expected)
    {
        var key = ReadKey();
        if (key != 0)
        {
            throw Error("the version field must come first");
        }

        var version = reader.ReadUInt32();
        if (version != expected)
        {
            throw Error($"unknown version {version}");
        }
    }

    /// <summary>Reads a byte string of <paramref name="minLength"/> to <paramref name="maxLength"/> bytes.</summary>
    public byte[] ReadBytes(int minLength, int maxLength)
    {
        // The input is already bounded, so the reader never allocates more than the input holds.
        var bytes = reader.ReadByteString();
        if (bytes.Length < minLength || bytes.Length > maxLength)
        {
            throw Error(minLength == maxLength
                ? $"expected {minLength} bytes, got {bytes.Length}"
                : $"byte string of {bytes.Length} bytes outside [{minLength}, {maxLength}]");
        }

        return bytes;
    }

    internal byte[] ReadFixedBytes(int length) => ReadBytes(length, length);

    /// <summary>Reads a text string of at most <paramref name="maxUtf8Bytes"/> bytes of UTF-8.</summary>
    public string ReadText(int maxUtf8Bytes)
    {
        var text = reader.ReadTextString();
        if (System.Text.Encoding.UTF8.GetByteCount(text) > maxUtf8Bytes)
        {
            throw Error($"text longer than {maxUtf8Bytes} bytes");
        }

        return text;
    }

    /// <summary>Reads an unsigned integer.</summary>
    public ulong ReadUInt64() => reader.ReadUInt64();

    /// <summary>Reads an unsigned integer that fits 32 bits.</summary>
    public uint ReadUInt32() => reader.ReadUInt32();

    /// <summary>Reads a boolean.</summary>
    public bool ReadBoolean() => reader.ReadBoolean();

    /// <summary>The next value's canonical bytes, checked to be well formed and canonical, without interpreting it.</summary>
    public ReadOnlyMemory<byte> ReadEncodedValue() => reader.ReadEncodedValue();

    internal DateTimeOffset ReadTimestamp() => Timestamp.FromUnixSeconds(reader.ReadUInt64(), this);

    private void Enter()
    {
        if (++depth > CborLimits.MaxDepth)
        {
            throw Error($"nesting deeper than {CborLimits.MaxDepth}");
        }
    }
}
