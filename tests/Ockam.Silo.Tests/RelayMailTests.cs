using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Ockam.Grains.Contracts;
using Ockam.Identity.Encoding;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Silo.Configuration;
using Ockam.Silo.Tests.Support;
using Xunit.Abstractions;

namespace Ockam.Silo.Tests;

/// <summary>Relay mailboxes as rows of the silo's database: what survives a restart, and filling and draining at depth.</summary>
public sealed class RelayMailTests(ITestOutputHelper output) : IDisposable
{
    private const int Depth = 10_000;

    private readonly TempDirectory data = new();

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_mailbox_keeps_its_order_priorities_and_acknowledgements_across_a_restart(StorageKind storage)
    {
        await using var database = storage == StorageKind.PostgreSql ? await PostgresDatabase.CreateAsync() : null;
        ulong highest;
        await using (var silo = await RunningSilo.StartAsync(data.Path, storage, database?.ConnectionString))
        {
            var relay = silo.Grains.GetGrain<IRelayGrain>("phone");
            Assert.Equal(RelayOutcome.Ok, await relay.ClaimAsync("owner", durable: true));
            foreach (var (payload, priority) in new[] { (1, 0), (2, 0), (3, 1), (4, 0), (5, 1), (6, 0) })
            {
                Assert.Equal(RelayOutcome.Ok, await relay.SendAsync([(byte)payload, .. new byte[99]], (byte)priority, "monitor"));
            }

            // The owner reads everything and acknowledges the two high-priority messages (in one request), then goes.
            var recorder = new MailboxRecorder();
            var reference = silo.Grains.CreateObjectReference<IRelayObserver>(recorder);
            Assert.Equal(RelayOutcome.Ok, await relay.ConnectAsync("owner", reference));
            var delivered = await recorder.TakeAsync(6);
            Assert.Equal([3, 5, 1, 2, 4, 6], delivered.Select(m => (int)m.Envelope[0]));
            Assert.Equal(RelayOutcome.Ok, await relay.AcknowledgeAsync("owner", [delivered[0].Sequence, delivered[1].Sequence]));
            await relay.DisconnectAsync(reference);
            highest = delivered.Max(m => m.Sequence);
        }

        await using (var silo = await RunningSilo.StartAsync(data.Path, storage, database?.ConnectionString))
        {
            var relay = silo.Grains.GetGrain<IRelayGrain>("phone");
            Assert.Equal(RelayOutcome.NotOwner, await relay.ClaimAsync("someone else", durable: true));
            var status = await relay.GetStatusAsync();
            Assert.Equal((4, 400L), (status.Queued, status.QueuedBytes));

            // A message after the restart gets a sequence never given before, and still queues by priority.
            Assert.Equal(RelayOutcome.Ok, await relay.SendAsync([7], 1, "monitor"));
            var recorder = new MailboxRecorder();
            Assert.Equal(RelayOutcome.Ok, await relay.ConnectAsync("owner", silo.Grains.CreateObjectReference<IRelayObserver>(recorder)));
            var delivered = await recorder.TakeAsync(5);
            Assert.Equal([7, 1, 2, 4, 6], delivered.Select(m => (int)m.Envelope[0]));
            Assert.True(delivered[0].Sequence > highest, "a sequence was given out twice across the restart");
            Assert.All(delivered, m => Assert.Equal("monitor", m.Sender));
        }

        Assert.Equal(5, database is not null ? await database.CountRowsAsync("RelayMail") : await CountSqliteRowsAsync("RelayMail"));
    }

    [Fact]
    public async Task Ten_thousand_fill_a_mailbox_and_drain_in_order_with_batched_acknowledgements()
    {
        await using var silo = await RunningSilo.StartAsync(data.Path);
        var relay = silo.Grains.GetGrain<IRelayGrain>("phone");
        await relay.ClaimAsync("owner", durable: true);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Depth; i++)
        {
            if (i % 1000 == 0 && i > 0)
            {
                output.WriteLine($"fill: {i} queued, the last 1 000 at {1000 / clock.Elapsed.TotalSeconds:F0} msg/s");
                clock.Restart();
            }

            var envelope = new byte[256];
            BitConverter.TryWriteBytes(envelope, i);
            Assert.Equal(RelayOutcome.Ok, await relay.SendAsync(envelope, 0, "monitor"));
        }

        output.WriteLine($"fill: {Depth} queued, the last 1 000 at {1000 / clock.Elapsed.TotalSeconds:F0} msg/s");
        Assert.Equal(Depth, (await relay.GetStatusAsync()).Queued);
        Assert.Equal(RelayOutcome.MailboxFull, await relay.SendAsync(new byte[256], 0, "monitor"));

        // The owner drains, acknowledging what it has in requests of up to the bound, as the edge's relay inbox does.
        var recorder = new MailboxRecorder();
        clock.Restart();
        var drain = Stopwatch.StartNew();
        await relay.ConnectAsync("owner", silo.Grains.CreateObjectReference<IRelayObserver>(recorder));
        var next = 0;
        while (next < Depth)
        {
            var batch = await recorder.TakeAvailableAsync(AcknowledgeRelayRequest.MaxSequences);
            foreach (var message in batch)
            {
                Assert.Equal(next++, BitConverter.ToInt32(message.Envelope));
            }

            Assert.Equal(RelayOutcome.Ok, await relay.AcknowledgeAsync("owner", [.. batch.Select(m => m.Sequence)]));
            if (next % 1000 < batch.Count)
            {
                output.WriteLine($"drain: {Depth - next} queued, {next} read at {next / drain.Elapsed.TotalSeconds:F0} msg/s");
            }
        }

        output.WriteLine($"drain: {Depth} in {drain.Elapsed.TotalSeconds:F2} s, {Depth / drain.Elapsed.TotalSeconds:F0} msg/s");
        Assert.Equal((0, 0L), ((await relay.GetStatusAsync()).Queued, (await relay.GetStatusAsync()).QueuedBytes));
        Assert.Equal(0, await CountSqliteRowsAsync("RelayMail"));
    }

    [Fact]
    public void An_acknowledgement_of_no_sequence_of_more_than_the_bound_of_a_partial_one_or_of_sequence_0_does_not_decode()
    {
        static AcknowledgeRelayRequest Decode(byte[] sequences)
        {
            var body = new ApiBodyWriter();
            body.Text("relay", "phone");
            body.Bytes("sequences", sequences);
            return ApiBody.Decode<AcknowledgeRelayRequest>(body.Encode(), ApiRequest.MaxSize, "test");
        }

        var bound = Enumerable.Range(1, AcknowledgeRelayRequest.MaxSequences).Select(i => (ulong)i).ToArray();
        Assert.Equal(bound, ApiBody.Decode<AcknowledgeRelayRequest>(ApiBody.Encode(new AcknowledgeRelayRequest("phone", bound)), ApiRequest.MaxSize, "test").Sequences);
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<AcknowledgeRelayRequest>(ApiBody.Encode(new AcknowledgeRelayRequest("phone", [.. bound, 1025UL])), ApiRequest.MaxSize, "test"));
        Assert.Throws<OckamDecodeException>(() => Decode([]));
        Assert.Throws<OckamDecodeException>(() => Decode(new byte[9]));
        Assert.Throws<OckamDecodeException>(() => Decode(new byte[8]));
    }

    public void Dispose() => data.Dispose();

    private async Task<long> CountSqliteRowsAsync(string table)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "ockam.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {table}";
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
