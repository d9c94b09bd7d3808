
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

    private sealed class StallingStream(Stream inner, StallingStreams owner) : WrappedStream(inner)
    {
        private volatile bool stalled;

        public bool Stalled { get => stalled; set => stalled = value; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Stalled)
            {
                owner.WriteHeld.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            await Inner.WriteAsync(buffer, cancellationToken);
        }
    }
}
