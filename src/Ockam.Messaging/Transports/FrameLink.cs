namespace Ockam.Messaging.Transports;

/// <summary>A bidirectional pipe of frames (byte strings) between two nodes; an empty frame is a keep-alive.</summary>
internal abstract class FrameLink : IAsyncDisposable
{
    /// <summary>Sends one frame. Safe to call concurrently (keep-alives and messages share the link).</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);

    /// <summary>The next frame, or null when the peer closed cleanly between frames.</summary>
    /// <exception cref="TransportException">The peer broke the framing rules.</exception>
    public abstract ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
