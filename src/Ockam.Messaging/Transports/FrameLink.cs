namespace Ockam.Messaging.Transports;

/// <summary>A bidirectional pipe of frames (byte strings) between two nodes; an empty frame is a keep-alive.</summary>
internal abstract class FrameLink : IAsyncDisposable
{
    /// <summary>Sends one frame. Safe to call concurrently (keep-alives and messages share the link).</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="frames"/> in order, none interleaved with another writer's; by default one at a time.</summary>
    public virtual async ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken cancellationToken)
    {
        foreach (var frame in frames)
        {
            await SendAsync(frame, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The next frame, or null when the peer closed cleanly between frames.</summary>
    /// <exception cref="TransportException">The peer broke the framing rules.</exception>
    public abstract ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
