using System.Buffers;
using System.Buffers.Binary;

namespace Ockam.Identity.Mls;

/// <summary>Writes one element of an MLS vector (or an optional's value) to <paramref name="writer"/>.</summary>
internal delegate void MlsWriteAction<in T>(MlsWriter writer, T value);

/// <summary>
/// Writes the TLS presentation language as RFC 9420 §2.1 profiles it: big-endian integers,
/// fixed-length opaque values, variable-size vectors with a minimal length header (§2.1.2) and
/// optional values with a presence byte.
/// </summary>
internal sealed class MlsWriter
{
    private readonly ArrayBufferWriter<byte> buffer;

    public MlsWriter(int initialCapacity = 256)
    {
        buffer = new ArrayBufferWriter<byte>(initialCapacity);
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => buffer.WrittenSpan;

    public int Length => buffer.WrittenCount;

    public byte[] ToArray() => buffer.WrittenSpan.ToArray();

    /// <summary>What <paramref name="write"/> writes to a fresh writer: how each struct encodes on its own.</summary>
    public static byte[] Encode(Action<MlsWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var writer = new MlsWriter();
        write(writer);
        return writer.ToArray();
    }

    public void WriteUInt8(byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer.GetSpan(2), value);
        buffer.Advance(2);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    /// <summary>A fixed-length <c>opaque[N]</c>: the bytes, no header.</summary>
    public void WriteFixed(ReadOnlySpan<byte> value) => buffer.Write(value);

    /// <summary>The length header of a variable-size vector of <paramref name="length"/> bytes.</summary>
    public void WriteLengthHeader(int length)
    {
        var written = VariableLengthHeader.Write(buffer.GetSpan(4), length);
        buffer.Advance(written);
    }

    /// <summary>An <c>opaque&lt;V&gt;</c>: the minimal length header, then the bytes.</summary>
    public void WriteVector(ReadOnlySpan<byte> value)
    {
        WriteLengthHeader(value.Length);
        buffer.Write(value);
    }

    /// <summary>A <c>T&lt;V&gt;</c>: the elements are encoded, then prefixed by their total length in bytes.</summary>
    public void WriteVector<T>(IEnumerable<T> elements, MlsWriteAction<T> writeElement)
    {
        ArgumentNullException.ThrowIfNull(elements);
        ArgumentNullException.ThrowIfNull(writeElement);
        var body = new MlsWriter();
        foreach (var element in elements)
        {
            writeElement(body, element);
        }

        WriteVector(body.Written);
    }

    /// <summary>An <c>optional&lt;T&gt;</c> (RFC 9420 §2.1.1): 0 if absent, else 1 and the value.</summary>
    public void WriteOptional<T>(T? value, MlsWriteAction<T> writeValue)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(writeValue);
        if (value is null)
        {
            WriteUInt8(0);
            return;
        }

        WriteUInt8(1);
        writeValue(this, value);
    }
}
