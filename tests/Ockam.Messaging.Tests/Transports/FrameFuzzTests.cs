using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Tests.Transports;

/// <summary>Whatever a peer writes, the frame reader returns frames, a clean end, or a typed error.</summary>
public sealed class FrameFuzzTests
{
    [Property(MaxTest = 10_000)]
    public Property Random_streams_give_frames_an_end_or_a_transport_error() => Prop.ForAll(Generators.Bytes(0, 300).ToArbitrary(), bytes =>
    {
        var link = new StreamFrameLink(new MemoryStream(bytes), maxFrameSize: 128);
        try
        {
            var total = 0;
            while (link.ReceiveAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } frame)
            {
                total += 4 + frame.Length;
                Assert.True(frame.Length <= 128);
            }

            Assert.Equal(bytes.Length, total);
        }
        catch (TransportException e)
        {
            Assert.True(e.Error is TransportError.FrameTooLarge or TransportError.Truncated);
        }
    });

    [Fact]
    public async Task Frames_round_trip_and_a_frame_over_the_limit_is_refused_on_both_sides()
    {
        var buffer = new MemoryStream();
        var writer = new StreamFrameLink(buffer, maxFrameSize: 64);
        await writer.SendAsync(new byte[64], CancellationToken.None);
        await writer.SendAsync(Array.Empty<byte>(), CancellationToken.None);
        Assert.Equal(TransportError.FrameTooLarge, (await Assert.ThrowsAsync<TransportException>(() => writer.SendAsync(new byte[65], CancellationToken.None).AsTask())).Error);

        var reader = new StreamFrameLink(new MemoryStream(buffer.ToArray()), maxFrameSize: 64);
        Assert.Equal(64, (await reader.ReceiveAsync(CancellationToken.None))!.Length);
        Assert.Empty((await reader.ReceiveAsync(CancellationToken.None))!);
        Assert.Null(await reader.ReceiveAsync(CancellationToken.None));
        var small = new StreamFrameLink(new MemoryStream(buffer.ToArray()), maxFrameSize: 63);
        Assert.Equal(TransportError.FrameTooLarge, (await Assert.ThrowsAsync<TransportException>(() => small.ReceiveAsync(CancellationToken.None).AsTask())).Error);
    }
}
