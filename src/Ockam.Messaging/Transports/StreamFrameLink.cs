using System.Buffers;
using System.Buffers.Binary;

namespace Ockam.Messaging.Transports;

/// <summary>Frames over a byte stream: a 4-byte big-endian length, then that many bytes.</summary>
/// <remarks>
/// Frames queued together leave in one write (up to <see cref="WriteChunk"/> bytes), and reads fill a small buffer that
/// holds the next frames' headers and bodies: one system call per burst of frames rather than one or two per frame.
/// That buffer is rented only while it holds bytes: with nothing buffered, the link waits for the next bytes with a
/// zero-byte read, so that an idle connection holds no buffer (a gateway holds thousands of idle connections).
/// </remarks>
internal sealed class StreamFrameLink(Stream stream, int maxFrameSize) : FrameLink
{
    private const int HeaderSize = 4;

    /// <summary>Bytes of frames packed into one write, at most (a larger frame goes in a write of its own).</summary>
    private const int WriteChunk = 64 * 1024;

    /// <summary>Bytes read ahead, at most: a burst of small frames in one read, and little held per idle connection.</summary>
    private const int ReadBufferSize = 4 * 1024;

    private readonly SemaphoreSlim writeLock = new(1, 1);

    /// <summary>Rented from the shared pool while it holds unread bytes or a read fills it; null otherwise.</summary>
    private byte[]? input;

    /// <summary>The unread bytes of <see cref="input"/> are [start, end).</summary>
    private int start;
    private int end;

    public override ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) => SendAsync([frame], cancellationToken);

    public override async ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken cancellationToken)
    {
        foreach (var frame in frames)
        {
            if (frame.Length > maxFrameSize)
            {
                throw new TransportException(TransportError.FrameTooLarge, $"a {frame.Length}-byte frame exceeds the limit of {maxFrameSize}");
            }
        }

        // Whole frames in each write, under the lock: a frame is never interleaved with another writer's.
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var next = 0;
            while (next < frames.Count)
            {
                var size = HeaderSize + frames[next].Length;
                var last = next + 1;
                while (last < frames.Count && size + HeaderSize + frames[last].Length <= WriteChunk)
                {
                    size += HeaderSize + frames[last].Length;
                    last++;
                }

                var buffer = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    var at = 0;
                    for (var i = next; i < last; i++)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(at), (uint)frames[i].Length);
                        frames[i].Span.CopyTo(buffer.AsSpan(at + HeaderSize));
                        at += HeaderSize + frames[i].Length;
                    }

                    await stream.WriteAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                next = last;
            }

            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writeLock.Release();
        }
    }

    public override async ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(HeaderSize, cancellationToken).ConfigureAwait(false))
        {
            return end == start ? null : throw new TransportException(TransportError.Truncated, "the connection closed inside a frame header");
        }

        var buffer = input!;
        var length = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start));
        if (length > (uint)maxFrameSize)
        {
            // Refused before allocating: a hostile length never costs memory.
            throw new TransportException(TransportError.FrameTooLarge, $"a frame of {length} bytes exceeds the limit of {maxFrameSize}");
        }

        start += HeaderSize;
        var frame = new byte[length];
        var buffered = Math.Min(end - start, frame.Length);
        buffer.AsSpan(start, buffered).CopyTo(frame);
        start += buffered;
        if (start == end)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            input = null;
            start = end = 0;
        }

        // The rest of a frame larger than what was read ahead goes straight into it.
        if (buffered < frame.Length
            && await stream.ReadAtLeastAsync(frame.AsMemory(buffered), frame.Length - buffered, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < frame.Length - buffered)
        {
            throw new TransportException(TransportError.Truncated, "the connection closed inside a frame");
        }

        return frame;
    }

    public override async ValueTask DisposeAsync()
    {
        // A rented buffer is not returned here: a read still pending on the closing stream may yet write into it.
        await stream.DisposeAsync().ConfigureAwait(false);
        writeLock.Dispose();
    }

    /// <summary>Reads until <paramref name="count"/> bytes are buffered; false if the stream ended first.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (end - start >= count)
        {
            return true;
        }

        if (input is null)
        {
            // Nothing buffered: wait for the peer's next bytes holding no buffer. A stream that cannot wait this way
            // returns at once, and the read below waits instead.
            await stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            input = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        }
        else
        {
            // What is left moves to the front, so that a read always has room for the rest of a header and more.
            input.AsSpan(start, end - start).CopyTo(input);
            end -= start;
            start = 0;
        }

        while (end < count)
        {
            var read = await stream.ReadAsync(input.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            end += read;
        }

        return true;
    }
}
