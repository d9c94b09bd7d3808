using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Tests.Transports;

/// <summary>Frames queued together leave in one write; reads take bursts of frames, and frames split across reads, whole.</summary>
public sealed class FrameCoalescingTests
{
    [Fact]
    public async Task Frames_sent_together_leave_in_one_write_and_arrive_whole_and_in_order()
    {
        var wire = new CountingStream();
        var writer = new StreamFrameLink(wire, maxFrameSize: 1024);
        var frames = Enumerable.Range(0, 20).Select(i => (ReadOnlyMemory<byte>)Enumerable.Repeat((byte)i, i * 10).ToArray()).ToList();
        await writer.SendAsync(frames, CancellationToken.None);
        Assert.Equal(1, wire.Writes);

        var reader = new StreamFrameLink(new MemoryStream(wire.ToArray()), maxFrameSize: 1024);
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(frames[i].ToArray(), await reader.ReceiveAsync(CancellationToken.None));
        }

        Assert.Null(await reader.ReceiveAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_batch_is_cut_into_writes_of_bounded_size_and_a_frame_over_the_limit_sends_nothing()
    {
        var wire = new CountingStream();
        var writer = new StreamFrameLink(wire, maxFrameSize: 256 * 1024);
        var big = new byte[20 * 1024];
        await writer.SendAsync([big, big, big, big], CancellationToken.None);
        Assert.Equal(2, wire.Writes); // three frames fit the first write of 64 KiB, the fourth goes in a second
        Assert.Equal(4 * (4 + big.Length), wire.Length);

        var refused = new CountingStream();
        var strict = new StreamFrameLink(refused, maxFrameSize: 64);
        var e = await Assert.ThrowsAsync<TransportException>(() => strict.SendAsync([new byte[8], new byte[65]], CancellationToken.None).AsTask());
        Assert.Equal(TransportError.FrameTooLarge, e.Error);
        Assert.Equal(0, refused.Length);
    }

    [Fact]
    public async Task Frames_arriving_a_byte_at_a_time_or_larger_than_the_read_buffer_arrive_whole()
    {
        var wire = new MemoryStream();
        var writer = new StreamFrameLink(wire, maxFrameSize: 64 * 1024);
        var large = Enumerable.Range(0, 20_000).Select(i => (byte)i).ToArray();
        await writer.SendAsync([new byte[] { 1, 2, 3 }, large, Array.Empty<byte>(), new byte[] { 4 }], CancellationToken.None);

        foreach (var chunk in new[] { 1, 7, 4096 })
        {
            var reader = new StreamFrameLink(new TrickleStream(wire.ToArray(), chunk), maxFrameSize: 64 * 1024);
            Assert.Equal([1, 2, 3], await reader.ReceiveAsync(CancellationToken.None));
            Assert.Equal(large, await reader.ReceiveAsync(CancellationToken.None));
            Assert.Empty((await reader.ReceiveAsync(CancellationToken.None))!);
            Assert.Equal([4], await reader.ReceiveAsync(CancellationToken.None));
            Assert.Null(await reader.ReceiveAsync(CancellationToken.None));
        }

        // Cut inside a header, and inside a frame's body past what was read ahead: typed errors, not frames.
        var bytes = wire.ToArray();
        var cutHeader = new StreamFrameLink(new TrickleStream(bytes[..9], 3), maxFrameSize: 64 * 1024);
        Assert.NotNull(await cutHeader.ReceiveAsync(CancellationToken.None));
        Assert.Equal(TransportError.Truncated, (await Assert.ThrowsAsync<TransportException>(() => cutHeader.ReceiveAsync(CancellationToken.None).AsTask())).Error);
        var cutBody = new StreamFrameLink(new TrickleStream(bytes[..10_000], 4096), maxFrameSize: 64 * 1024);
        Assert.NotNull(await cutBody.ReceiveAsync(CancellationToken.None));
        Assert.Equal(TransportError.Truncated, (await Assert.ThrowsAsync<TransportException>(() => cutBody.ReceiveAsync(CancellationToken.None).AsTask())).Error);
    }

    [Fact]
    public async Task With_nothing_buffered_the_link_waits_for_the_next_bytes_holding_no_buffer()
    {
        var wire = new MemoryStream();
        await new StreamFrameLink(wire, maxFrameSize: 1024).SendAsync([new byte[] { 1 }, new byte[] { 2, 3 }], CancellationToken.None);
        var recording = new RecordingStream(wire.ToArray());
        var reader = new StreamFrameLink(recording, maxFrameSize: 1024);

        // Both frames come in one read; the wait before it, and the wait after the last frame was taken, hold no buffer.
        Assert.Equal([1], await reader.ReceiveAsync(CancellationToken.None));
        Assert.Equal([2, 3], await reader.ReceiveAsync(CancellationToken.None));
        Assert.Equal([0, 4096], recording.Reads);
        Assert.Null(await reader.ReceiveAsync(CancellationToken.None));
        Assert.Equal([0, 4096, 0, 4096], recording.Reads);
    }

    /// <summary>A memory stream that records the size of each read's buffer.</summary>
    private sealed class RecordingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public List<int> Reads { get; } = [];

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads.Add(buffer.Length);
            return base.ReadAsync(buffer, cancellationToken);
        }
    }

    /// <summary>A memory stream that counts its writes.</summary>
    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(buffer, cancellationToken);
        }
    }

    /// <summary>A stream that gives at most <c>chunk</c> bytes per read, as a socket may.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
