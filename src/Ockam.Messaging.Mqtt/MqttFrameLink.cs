using System.Threading.Channels;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Mqtt;

/// <summary>
/// One peer's side of the broker, as a <see cref="FrameLink"/> under a <see cref="Connection"/>: a frame sent is one
/// QoS 1 message on the peer's topic; the transport hands it the frames that arrive on this node's topic for the peer.
/// The broker's own connection is shared by every link and reconnects underneath them.
/// </summary>
internal sealed class MqttFrameLink(BrokerSession broker, string topic, int maxFrameSize, Action<MqttFrameLink> disposed) : FrameLink
{
    /// <summary>Frames waiting for the connection's worker; beyond it the broker waits for our acknowledgements.</summary>
    private const int Capacity = 256;

    private readonly Channel<byte[]> inbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true });
    private int closed;

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref closed) != 0, this);
        if (frame.Length > maxFrameSize)
        {
            throw new TransportException(TransportError.FrameTooLarge, $"a {frame.Length}-byte frame exceeds the limit of {maxFrameSize}");
        }

        await broker.PublishAsync(topic, frame, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await inbound.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Queues a frame that arrived for this link; one for a link closed meanwhile is dropped, as a closed socket would drop it.</summary>
    public async ValueTask DeliverAsync(byte[] frame, CancellationToken cancellationToken)
    {
        try
        {
            await inbound.Writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
        }
    }

    public override ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref closed, 1) == 0)
        {
            inbound.Writer.TryComplete();
            disposed(this);
        }

        return ValueTask.CompletedTask;
    }
}
