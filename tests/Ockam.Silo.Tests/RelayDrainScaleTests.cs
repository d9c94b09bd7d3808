using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api.Operations;
using Ockam.Silo.Tests.Support;
using Xunit.Abstractions;

namespace Ockam.Silo.Tests;

/// <summary>
/// A mailbox of 100 000 in the silo's real SQLite file drains completely, in order, with every acknowledgement stored.
/// Long (minutes on 2 cores: the fill goes through the relay, one commit per message): <c>./test.sh --long</c>.
/// </summary>
[Trait("Category", "Long")]
public sealed class RelayDrainScaleTests(ITestOutputHelper output) : IDisposable
{
    private const int Depth = 100_000;

    private readonly TempDirectory data = new();

    [Fact]
    public async Task A_hundred_thousand_drain_in_order_with_every_acknowledgement_stored_and_a_reconnect_delivers_nothing()
    {
        string[] capacity = ["--Ockam:Relay:MailboxCapacity", Depth.ToString(CultureInfo.InvariantCulture)];
        await using (var silo = await RunningSilo.StartAsync(data.Path, extraArgs: capacity))
        {
            var relay = silo.Grains.GetGrain<IRelayGrain>("phone");
            await relay.ClaimAsync("owner", durable: true);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Depth; i++)
            {
                var envelope = new byte[256];
                BitConverter.TryWriteBytes(envelope, i);
                Assert.Equal(RelayOutcome.Ok, await relay.SendAsync(envelope, 0, "monitor"));
            }

            output.WriteLine($"fill: {Depth} in {clock.Elapsed.TotalSeconds:F1} s, {Depth / clock.Elapsed.TotalSeconds:F0} msg/s");
            Assert.Equal(Depth, (await relay.GetStatusAsync()).Queued);

            // The owner drains, acknowledging what it has in requests of up to the bound, as the edge's relay inbox does.
            var recorder = new MailboxRecorder();
            clock.Restart();
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
            }

            output.WriteLine($"drain: {Depth} in {clock.Elapsed.TotalSeconds:F2} s, {Depth / clock.Elapsed.TotalSeconds:F0} msg/s");
            var status = await relay.GetStatusAsync();
            Assert.Equal((0, 0L), (status.Queued, status.QueuedBytes));
        }

        // Every acknowledgement was stored: no row is left, and after a restart a reconnect delivers nothing.
        Assert.Equal(0, await CountSqliteRowsAsync());
        await using (var silo = await RunningSilo.StartAsync(data.Path, extraArgs: capacity))
        {
            var relay = silo.Grains.GetGrain<IRelayGrain>("phone");
            Assert.Equal(0, (await relay.GetStatusAsync()).Queued);
            var recorder = new MailboxRecorder();

            // Connecting pushes what the mailbox holds before it returns: nothing.
            Assert.Equal(RelayOutcome.Ok, await relay.ConnectAsync("owner", silo.Grains.CreateObjectReference<IRelayObserver>(recorder)));
            Assert.Equal(0, recorder.Count);
        }
    }

    public void Dispose() => data.Dispose();

    private async Task<long> CountSqliteRowsAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "ockam.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM RelayMail";
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
