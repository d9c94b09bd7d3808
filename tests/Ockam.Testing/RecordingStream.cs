namespace Ockam.Testing;

/// <summary>Passes a connection's bytes through unchanged and keeps a copy of every byte read or written.</summary>
internal sealed class RecordingStream(Stream inner, ByteLog log) : WrappedStream(inner)
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken);
        log.Append(buffer.Span[..read]);
        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        log.Append(buffer.Span);
        await Inner.WriteAsync(buffer, cancellationToken);
    }
}

/// <summary>Every byte a node moved, from all its connections.</summary>
internal sealed class ByteLog
{
    private readonly MemoryStream bytes = new();

    public void Append(ReadOnlySpan<byte> data)
    {
        lock (bytes)
        {
            bytes.Write(data);
        }
    }

    public byte[] ToArray()
    {
        lock (bytes)
        {
            return bytes.ToArray();
        }
    }
}
