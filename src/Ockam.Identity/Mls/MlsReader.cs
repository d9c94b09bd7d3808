using System.Buffers.Binary;
using Ockam.Identity.Encoding;

namespace Ockam.Identity.Mls;

/// <summary>Reads one element of an MLS vector (or an optional's value) from <paramref name="reader"/>.</summary>
internal delegate T MlsReadFunc<out T>(ref MlsReader reader);

/// <summary>
/// Reads the TLS presentation language as RFC 9420 §2.1 profiles it. Every read is bounded: by the
/// input left, and for a variable-size vector also by a maximum the caller gives, so that no input
/// can make it allocate more than it was handed or more than the caller allows. Malformed,
/// truncated, non-minimal or oversized input throws <see cref="OckamDecodeException"/>, which
/// carries the offset where it was found.
/// </summary>
internal ref struct MlsReader
{
    private readonly ReadOnlySpan<byte> input;

    // Where input starts in the outermost input: a vector's elements are read by a reader over its
    // bytes alone, and their errors still name offsets in the whole message.
    private readonly int baseOffset;
    private int position;

    public MlsReader(ReadOnlySpan<byte> input)
        : this(input, 0)
    {
    }

    private MlsReader(ReadOnlySpan<byte> input, int baseOffset)
    {
        this.input = input;
        this.baseOffset = baseOffset;
        position = 0;
    }

    public MlsReader(ReadOnlyMemory<byte> input)
        : this(input.Span)
    {
    }

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => position;

    public readonly int Remaining => input.Length - position;

    public readonly bool IsAtEnd => position == input.Length;

    /// <summary>
    /// Decodes <paramref name="input"/> as exactly one value: the whole of it, with no bytes left over.
    /// </summary>
    public static T DecodeExact<T>(ReadOnlySpan<byte> input, MlsReadFunc<T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var reader = new MlsReader(input);
        var value = read(ref reader);
        reader.EnsureAtEnd();
        return value;
    }

    public byte ReadUInt8() => Take(1, "uint8")[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2, "uint16"));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4, "uint32"));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8, "uint64"));

    /// <summary>A fixed-length <c>opaque[N]</c>, as a view of the input.</summary>
    public ReadOnlySpan<byte> ReadFixed(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return Take(length, $"opaque[{length}]");
    }

    /// <summary>
    /// The length header of a variable-size vector (§2.1.2), checked against
    /// <paramref name="maxLength"/> and against the input left.
    /// </summary>
    public int ReadLengthHeader(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var start = position;
        int length;
        try
        {
            length = VariableLengthHeader.Read(input[position..], out var consumed);
            position += consumed;
        }
        catch (OckamDecodeException e)
        {
            throw Error(start, e.Message, e);
        }

        if (length > maxLength)
        {
            throw Error(start, $"MLS vector of {length} bytes exceeds the maximum of {maxLength}");
        }

        if (length > Remaining)
        {
            throw Error(start, $"MLS vector of {length} bytes is truncated ({Remaining} left)");
        }

        return length;
    }

    /// <summary>An <c>opaque&lt;V&gt;</c> of at most <paramref name="maxLength"/> bytes, as a view of the input.</summary>
    public ReadOnlySpan<byte> ReadVector(int maxLength)
    {
        var length = ReadLengthHeader(maxLength);
        return Take(length, "opaque<V>");
    }

    /// <summary>An <c>opaque&lt;V&gt;</c> of at most <paramref name="maxLength"/> bytes, copied.</summary>
    public byte[] ReadVectorBytes(int maxLength) => ReadVector(maxLength).ToArray();

    /// <summary>
    /// A <c>T&lt;V&gt;</c> whose encoding takes at most <paramref name="maxLength"/> bytes: its elements
    /// are read until its bytes are used up. An element that reads past them, or reads nothing, is an error.
    /// </summary>
    public List<T> ReadVector<T>(int maxLength, MlsReadFunc<T> readElement)
    {
        ArgumentNullException.ThrowIfNull(readElement);
        var body = ReadVector(maxLength);
        var elements = new List<T>();
        var inner = new MlsReader(body, baseOffset + position - body.Length);
        while (!inner.IsAtEnd)
        {
            var before = inner.position;
            elements.Add(readElement(ref inner));
            if (inner.position == before)
            {
                // An element of no bytes would let a short vector claim any number of elements.
                throw inner.Error(before, "MLS vector element consumed no bytes");
            }
        }

        return elements;
    }

    /// <summary>The presence byte of an <c>optional&lt;T&gt;</c> (§2.1.1): 0 or 1, anything else is malformed.</summary>
    public bool ReadPresence()
    {
        var start = position;
        return ReadUInt8() switch
        {
            0 => false,
            1 => true,
            var other => throw Error(start, $"MLS optional presence byte is {other}, not 0 or 1"),
        };
    }

    /// <summary>An <c>optional&lt;T&gt;</c> (§2.1.1): null if absent.</summary>
    public T? ReadOptional<T>(MlsReadFunc<T> readValue)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(readValue);
        return ReadPresence() ? readValue(ref this) : null;
    }

    /// <summary>Throws unless every byte of the input has been read.</summary>
    public readonly void EnsureAtEnd()
    {
        if (!IsAtEnd)
        {
            throw Error(position, $"{Remaining} trailing bytes after the MLS value");
        }
    }

    private ReadOnlySpan<byte> Take(int length, string what)
    {
        if (length > Remaining)
        {
            throw Error(position, $"MLS {what} is truncated ({Remaining} bytes left, {length} needed)");
        }

        var slice = input.Slice(position, length);
        position += length;
        return slice;
    }

    /// <summary>
    /// A decode error at <paramref name="offset"/> of this reader's input (a <see cref="Position"/>), for the
    /// structs built on the reader to report a value the format does not allow. Every decode error of the MLS
    /// codec is built here, with one wording: what, then where.
    /// </summary>
    public readonly OckamDecodeException Error(int offset, string message, Exception? inner = null) =>
        inner is null
            ? new OckamDecodeException($"{message} at offset {baseOffset + offset}")
            : new OckamDecodeException($"{message} at offset {baseOffset + offset}", inner);
}
