using System.Threading.Channels;

namespace Ockam.Messaging.Transports;

/// <summary>One end of an in-process link: frames go through bounded queues, nothing through sockets.</summary>
internal sealed class MemoryFrameLink : FrameLink
{
    private const int Capacity = 256;
    private readonly ChannelWriter<byte[]> outgoing;
    private readonly ChannelReader<byte[]> incoming;
    private readonly int maxFrameSize;

    private MemoryFrameLink(ChannelWriter<byte[]> outgoing, ChannelReader<byte[]> incoming, int maxFrameSize)
    {
        this.outgoing = outgoing;
        this.incoming = incoming;
        this.maxFrameSize = maxFrameSize;
    }

    public static (MemoryFrameLink, MemoryFrameLink) CreatePair(int maxFrameSize)
    {
        var ab = Channel.CreateBounded<byte[]>(Capacity);
        var ba = Channel.CreateBounded<byte[]>(Capacity);
        return (new MemoryFrameLink(ab.Writer, ba.Reader, maxFrameSize), new MemoryFrameLink(ba.Writer, ab.Reader, maxFrameSize));
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (frame.Length > maxFrameSize)
        {
            throw new TransportException(TransportError.FrameTooLarge, $"a {frame.Length}-byte frame exceeds the limit of {maxFrameSize}");
        }

        try
        {
            // A copy, as a socket would make: the receiver must never share the sender's buffer.
            await outgoing.WriteAsync(frame.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new IOException("the in-memory link is closed", e);
        }
    }

    public override async ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await incoming.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public override ValueTask DisposeAsync()
    {
        outgoing.TryComplete();
        return ValueTask.CompletedTask;
    }
}
