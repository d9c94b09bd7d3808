using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Silo.Configuration;
using Xunit.Abstractions;

namespace Ockam.Client.Tests;

/// <summary>
/// PostgreSQL is stopped for 10 s (<c>pg_ctl stop -m fast</c>, its connections cut) while a monitor seals a reading to
/// a listening phone every 100 ms through a silo on that database: requests that need the database meanwhile fail with
/// a clear status, relayed readings wait at the gateway, the service recovers by itself when the database returns (no
/// restart of the silo or of either node), and every reading reaches the phone once, in order.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);
    private static readonly Policy MonitorPolicy = Policy.Parse("(= subject.ockam.role \"monitor\")");
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();
    private PostgresServer database = null!;
    private RunningSilo silo = null!;

    public async Task InitializeAsync()
    {
        database = await PostgresServer.StartAsync();
        silo = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.Localhost);
    }

    public async Task DisposeAsync()
    {
        await silo.DisposeAsync();
        await database.DisposeAsync();
        data.Dispose();
        homes.Dispose();
    }

    [Fact]
    public async Task Readings_sent_through_a_10_s_database_outage_all_arrive_in_order_once_and_the_service_recovers_by_itself()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var phone = await silo.EnrolledNodeAsync(Path.Combine(homes.Path, "phone"), ("ockam.role", "phone"), ("ockam.relay", "phone"));
        await using var monitor = await silo.EnrolledNodeAsync(Path.Combine(homes.Path, "monitor"), ("ockam.role", "monitor"));
        await phone.CreateRelayAsync("phone", timeout.Token);
        await phone.AcceptAsync(MonitorPolicy, timeout.Token);
        await phone.ListenAsync("phone", timeout.Token);
        var key = await monitor.GetMailKeyAsync("phone", phone.Identifier, timeout.Token);

        var clock = Stopwatch.StartNew();
        TimeSpan? stopped = null, started = null;
        EdgeException? refused = null;
        var n = 0;
        while (started is null || clock.Elapsed < started + TimeSpan.FromSeconds(3))
        {
            if (stopped is null && clock.Elapsed > TimeSpan.FromSeconds(3))
            {
                await database.StopAsync();
                stopped = clock.Elapsed;

                // A request that must write (a credential is issued under a new serial) gets a clear answer, not a hang.
                refused = await Assert.ThrowsAsync<EdgeException>(() => phone.RefreshCredentialAsync(timeout.Token));
            }
            else if (started is null && stopped is not null && clock.Elapsed > stopped + Outage)
            {
                await database.StartAgainAsync();
                started = clock.Elapsed;
            }

            await monitor.SendSealedAsync("phone", key, Encoding.UTF8.GetBytes($"n={++n}"), timeout.Token);
            await Task.Delay(100, timeout.Token);
        }

        Assert.Equal(ApiStatus.Unavailable, refused!.Status);

        // Every reading arrives, once, in order: those sent during the outage waited at the gateway.
        var received = new List<int>();
        var last = TimeSpan.Zero;
        while (received.Count < n)
        {
            var reading = await phone.ReceiveAsync(timeout.Token);
            received.Add(int.Parse(Encoding.UTF8.GetString(reading.Payload.Span)["n=".Length..], CultureInfo.InvariantCulture));
            last = clock.Elapsed;
        }

        Assert.Equal(Enumerable.Range(1, n), received);
        using (var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await phone.ReceiveAsync(quiet.Token));
        }

        // And the requests that write work again, without a restart of anything.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await phone.RefreshCredentialAsync(timeout.Token);
                return true;
            }
            catch (EdgeException e) when (e.Status == ApiStatus.Unavailable)
            {
                return false;
            }
        }, cancellationToken: timeout.Token);
        output.WriteLine($"database stopped at {stopped:ss\\.f} s and started at {started:ss\\.f} s; {n} readings, the last received at {last:ss\\.f} s; writes answered again at {clock.Elapsed:ss\\.f} s");
    }
}
