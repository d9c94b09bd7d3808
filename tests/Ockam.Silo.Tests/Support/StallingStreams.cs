namespace Ockam.Silo.Tests.Support;

/// <summary>
/// Wraps the gateway's connections (<c>TransportOptions.WrapStream</c>) so that a test can stop the gateway's writes on
/// one of them: to the gateway, that peer has stopped reading (its socket's buffers are full).
/// </summary>
internal sealed class StallingStreams
{
    private readonly List<StallingStream> streams = [];

    /// <summary>Completes when a write on a stalled connection has been held.</summary>
    public TaskCompletionSource WriteHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Stream Wrap(Stream inner)
    {
        var stream = new StallingStream(inner, this);
        lock (streams)
        {
            streams.Add(stream);
        }

        return stream;
    }

    /// <summary>From now on, writes on the <paramref name="index"/>th connection the gateway accepted wait forever.</summary>
    public void Stall(int index)
    {
        lock (streams)
        {
            streams[index].Stalled = true;
        }
    }

    private sealed class StallingStream(Stream inner, StallingStreams owner) : Stream
    {
        private volatile bool stalled;

        public bool Stalled { get => stalled; set => stalled = value; }

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Stalled)
            {
                owner.WriteHeld.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
