using System.Buffers.Binary;
using System.Diagnostics;

namespace Ockam.Load;

/// <summary>A 256-byte reading: its sequence number and the sender's timestamp, so the receiver can tell order and latency.</summary>
internal static class Reading
{
    public const int Size = 256;

    public static byte[] Create(long sequence)
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), Stopwatch.GetTimestamp());
        return bytes;
    }

    public static long Sequence(ReadOnlySpan<byte> reading) => reading.Length >= 16 ? BinaryPrimitives.ReadInt64LittleEndian(reading) : -1;

    /// <summary>Milliseconds since the reading was made (sender and receiver share this process's clock).</summary>
    public static double AgeMilliseconds(ReadOnlySpan<byte> reading) =>
        reading.Length >= 16 ? Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(reading[8..])).TotalMilliseconds : double.NaN;
}
