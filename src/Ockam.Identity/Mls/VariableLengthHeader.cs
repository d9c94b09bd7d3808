using Ockam.Identity.Encoding;

namespace Ockam.Identity.Mls;

/// <summary>
/// The length header of an MLS variable-size vector (RFC 9420 §2.1.2): "the length is encoded as a
/// variable-length integer … the two most significant bits of the first byte indicate the length of
/// the integer encoding": 0b00 one byte (6 bits), 0b01 two bytes (14 bits), 0b10 four bytes (30 bits);
/// 0b11 is invalid. The minimum number of bytes is required, so that every length has one encoding.
/// </summary>
internal static class VariableLengthHeader
{
    /// <summary>The largest length a header can carry: 2^30 - 1.</summary>
    public const int MaxLength = (1 << 30) - 1;

    private const int MaxOneByte = (1 << 6) - 1;
    private const int MaxTwoBytes = (1 << 14) - 1;

    /// <summary>How many bytes the minimal header for <paramref name="length"/> takes: 1, 2 or 4.</summary>
    public static int SizeOf(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);
        return length <= MaxOneByte ? 1 : length <= MaxTwoBytes ? 2 : 4;
    }

    /// <summary>Writes the minimal header for <paramref name="length"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, int length)
    {
        var size = SizeOf(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));
        switch (size)
        {
            case 1:
                destination[0] = (byte)length;
                break;
            case 2:
                destination[0] = (byte)(0x40 | (length >> 8));
                destination[1] = (byte)length;
                break;
            default:
                destination[0] = (byte)(0x80 | (length >> 24));
                destination[1] = (byte)(length >> 16);
                destination[2] = (byte)(length >> 8);
                destination[3] = (byte)length;
                break;
        }

        return size;
    }

    /// <summary>
    /// Reads a header at the start of <paramref name="source"/>: its length, and in
    /// <paramref name="consumed"/> the bytes it took. Throws <see cref="OckamDecodeException"/> if it is
    /// truncated, uses the 0b11 prefix, or is not minimal.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> source, out int consumed)
    {
        if (source.IsEmpty)
        {
            throw new OckamDecodeException("MLS vector length header is truncated");
        }

        var prefix = source[0] >> 6;
        consumed = prefix switch
        {
            0 => 1,
            1 => 2,
            2 => 4,
            _ => throw new OckamDecodeException("MLS vector length header has the invalid prefix 0b11"),
        };
        if (source.Length < consumed)
        {
            throw new OckamDecodeException("MLS vector length header is truncated");
        }

        var length = source[0] & 0x3f;
        for (var i = 1; i < consumed; i++)
        {
            length = (length << 8) | source[i];
        }

        if (SizeOf(length) != consumed)
        {
            throw new OckamDecodeException($"MLS vector length header for {length} is not minimal ({consumed} bytes)");
        }

        return length;
    }
}
