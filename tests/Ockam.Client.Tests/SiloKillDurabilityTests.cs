using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;
using Ockam.Silo.Configuration;

namespace Ockam.Client.Tests;

/// <summary>
/// The silo's process is killed (SIGKILL, not stopped) with readings queued for a phone that is away: a new process on
/// the same store (the data directory, or the same PostgreSQL database and service id) holds every reading its relay had
/// acknowledged, and a new process of the phone reads them all, in order, once. The readings are sealed mail, as a
/// sender sends to a peer that is offline: a live end-to-end channel lives only in its two processes' memory.
/// </summary>
public sealed class SiloKillDurabilityTests : IDisposable
{
    private const int Readings = 200;
    private static readonly Policy MonitorPolicy = Policy.Parse("(= subject.ockam.role \"monitor\")");
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(2);
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Readings_the_relay_acknowledged_survive_a_kill_of_the_silo_process_and_reach_the_phone_in_order_once(StorageKind storage)
    {
        await using var database = storage == StorageKind.PostgreSql ? await PostgresDatabase.CreateAsync() : null;
        using var timeout = new CancellationTokenSource(Within);
        var edgePort = RunningSilo.FreePort();
        var gatewayPort = RunningSilo.FreePort();
        string[] options =
        [
            "--storage", storage.ToString(), "--edge-port", edgePort.ToString(CultureInfo.InvariantCulture),
            "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture), "--cluster-tls", "false", "--print-admin-token", "true",
            .. database is null ? Array.Empty<string>() : ["--connection-string", database.ConnectionString],
        ];

        var silo = await SiloProcess.StartAsync(data.Path, Within, options);
        try
        {
            await using var monitor = await SendWhileThePhoneIsAwayAsync(silo, gatewayPort, timeout.Token);

            await silo.KillAsync();
            await silo.DisposeAsync();
            silo = await SiloProcess.StartAsync(data.Path, Within, options);

            // A new process of the phone's node home listens at the new silo process (the same address and identity).
            await using var phone = await EdgeNode.OpenAsync(Options(silo, "phone"));
            await phone.AcceptAsync(MonitorPolicy, timeout.Token);
            await phone.ListenAsync("phone", timeout.Token);
            var readings = new List<int>();
            while (readings.Count < Readings)
            {
                var received = await phone.ReceiveAsync(timeout.Token);
                Assert.Equal(monitor.Identifier, received.Sender);
                readings.Add(int.Parse(Encoding.UTF8.GetString(received.Payload.Span)["n=".Length..], CultureInfo.InvariantCulture));
            }

            Assert.Equal(Enumerable.Range(1, Readings), readings);

            // Each once: nothing more comes, and every acknowledgement is stored.
            using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await phone.ReceiveAsync(quiet.Token));
            using var operator_ = await SiloOperator.ConnectAsync(gatewayPort, timeout.Token);
            var relay = operator_.Services.GetRequiredService<IGrainFactory>().GetGrain<IRelayGrain>("phone");
            await Eventually.TrueAsync(async () => (await relay.GetStatusAsync()).Queued == 0, cancellationToken: timeout.Token);

            await operator_.StopAsync(timeout.Token);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    /// <summary>
    /// Enrols a phone (which listens on its relay, then goes away: its process ends) and a monitor, which seals
    /// <see cref="Readings"/> readings to the phone; returns the monitor once the relay has acknowledged them all.
    /// </summary>
    private async Task<EdgeNode> SendWhileThePhoneIsAwayAsync(SiloProcess silo, int gatewayPort, CancellationToken cancellationToken)
    {
        using var operator_ = await SiloOperator.ConnectAsync(gatewayPort, cancellationToken);
        var grains = operator_.Services.GetRequiredService<IGrainFactory>();
        var relay = grains.GetGrain<IRelayGrain>("phone");
        Identity.Identities.Identifier phoneIdentifier;
        await using (var phone = await SiloOperator.EnrolledNodeAsync(grains, silo, Path.Combine(homes.Path, "phone"), ("ockam.role", "phone"), ("ockam.relay", "phone")))
        {
            phoneIdentifier = phone.Identifier;
            await phone.CreateRelayAsync("phone", cancellationToken);
            await phone.AcceptAsync(MonitorPolicy, cancellationToken);
            await phone.ListenAsync("phone", cancellationToken);
        }

        // Nobody acknowledges what comes next (the silo may not have noticed yet that the phone is gone): it stays queued.
        var monitor = await SiloOperator.EnrolledNodeAsync(grains, silo, Path.Combine(homes.Path, "monitor"), ("ockam.role", "monitor"));
        try
        {
            var key = await monitor.GetMailKeyAsync("phone", phoneIdentifier, cancellationToken);
            for (var i = 1; i <= Readings; i++)
            {
                await monitor.SendSealedAsync("phone", key, Encoding.UTF8.GetBytes($"n={i}"), cancellationToken);
            }

            // The relay counts a message only once it is durable, just before it answers its sender Ok.
            await Eventually.TrueAsync(async () => (await relay.GetStatusAsync()).Queued >= Readings, cancellationToken: cancellationToken);

            await operator_.StopAsync(cancellationToken);
            return monitor;
        }
        catch
        {
            await monitor.DisposeAsync();
            throw;
        }
    }

    public void Dispose()
    {
        data.Dispose();
        homes.Dispose();
    }


    private EdgeNodeOptions Options(SiloProcess silo, string name) =>
        new() { Home = Path.Combine(homes.Path, name), Silo = silo.AdminTicket.Silo, SiloIdentifier = silo.AdminTicket.SiloIdentifier };
}
