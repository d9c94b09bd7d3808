using System.Buffers.Binary;

namespace Ockam.Messaging.Transports;

/// <summary>Frames over a byte stream: a 4-byte big-endian length, then that many bytes.</summary>
internal sealed class StreamFrameLink(Stream stream, int maxFrameSize) : FrameLink
{
    private const int HeaderSize = 4;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly byte[] header = new byte[HeaderSize];

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (frame.Length > maxFrameSize)
        {
            throw new TransportException(TransportError.FrameTooLarge, $"a {frame.Length}-byte frame exceeds the limit of {maxFrameSize}");
        }

        // One buffer, one write: a frame is never interleaved with another writer's.
        var buffer = new byte[HeaderSize + frame.Length];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)frame.Length);
        frame.CopyTo(buffer.AsMemory(HeaderSize));
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writeLock.Release();
        }
    }

    public override async ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(header, HeaderSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < HeaderSize)
        {
            throw new TransportException(TransportError.Truncated, "the connection closed inside a frame header");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > (uint)maxFrameSize)
        {
            // Refused before allocating: a hostile length never costs memory.
            throw new TransportException(TransportError.FrameTooLarge, $"a frame of {length} bytes exceeds the limit of {maxFrameSize}");
        }

        var frame = new byte[length];
        if (await stream.ReadAtLeastAsync(frame, frame.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < frame.Length)
        {
            throw new TransportException(TransportError.Truncated, "the connection closed inside a frame");
        }

        return frame;
    }

    public override async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync().ConfigureAwait(false);
        writeLock.Dispose();
    }
}
