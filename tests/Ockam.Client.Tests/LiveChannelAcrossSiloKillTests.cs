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
/// A phone whose process stays up goes away right after a monitor opened a live end-to-end channel to it; readings
/// queue in its relay for longer than a handshake may take, the silo's process is killed and started again, and the
/// phone's node reconnects by itself: it reads every reading, in order. (Before the responder confirmed each channel,
/// the monitor's connect returned once it had sent message 3; the phone, gone before message 3 reached it, timed its
/// handshake out, and every reading queued behind message 3 was delivered, acknowledged and dropped, unreadable.)
/// </summary>
public sealed class LiveChannelAcrossSiloKillTests : IDisposable
{
    private const int Readings = 50;
    private static readonly Policy MonitorPolicy = Policy.Parse("(= subject.ockam.role \"monitor\")");
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(2);
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();

    [Fact]
    public async Task Readings_over_a_channel_opened_just_before_the_phone_went_away_survive_its_absence_and_a_silo_kill()
    {
        using var timeout = new CancellationTokenSource(Within);
        var edgePort = RunningSilo.FreePort();
        var gatewayPort = RunningSilo.FreePort();
        string[] options =
        [
            "--storage", "Sqlite", "--edge-port", edgePort.ToString(CultureInfo.InvariantCulture),
            "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture), "--cluster-tls", "false", "--print-admin-token", "true",
        ];

        var silo = await SiloProcess.StartAsync(data.Path, Within, options);
        try
        {
            using var operator_ = await SiloOperator.ConnectAsync(gatewayPort, timeout.Token);
            var grains = operator_.Services.GetRequiredService<IGrainFactory>();
            await using var phone = await SiloOperator.EnrolledNodeAsync(grains, silo, Path.Combine(homes.Path, "phone"), ("ockam.role", "phone"), ("ockam.relay", "phone"));
            await phone.CreateRelayAsync("phone", timeout.Token);
            await phone.AcceptAsync(MonitorPolicy, timeout.Token);
            await phone.ListenAsync("phone", timeout.Token);
            await using var monitor = await SiloOperator.EnrolledNodeAsync(grains, silo, Path.Combine(homes.Path, "monitor"), ("ockam.role", "monitor"));
            var channel = await monitor.ConnectAsync("phone", Policy.Parse("(= subject.ockam.role \"phone\")"), timeout.Token);

            // At once: before the confirmation, message 3 was still on its way to the phone at this point.
            await phone.GoOfflineAsync();
            for (var i = 1; i <= Readings; i++)
            {
                await monitor.SendAsync(channel, Encoding.UTF8.GetBytes($"n={i}"), timeout.Token);
            }

            var relay = grains.GetGrain<IRelayGrain>("phone");
            await Eventually.TrueAsync(async () => (await relay.GetStatusAsync()).Queued >= Readings, cancellationToken: timeout.Token);

            // Longer than a handshake may take, so that a half-open handshake at the phone would have timed out: time
            // itself must pass, on the clocks of a silo process and a phone that keep real time.
            await Task.Delay(TimeSpan.FromSeconds(11), timeout.Token);
            await operator_.StopAsync(timeout.Token);
            await silo.KillAsync();
            await silo.DisposeAsync();
            silo = await SiloProcess.StartAsync(data.Path, Within, options);

            // The phone's network comes back: it reconnects and listens again (retrying while the new silo warms up).
            while (true)
            {
                try
                {
                    await phone.ReconnectAsync(timeout.Token);
                    break;
                }
                catch (Exception e) when (e is EdgeException or TimeoutException or Ockam.Messaging.SecureChannels.HandshakeException)
                {
                    // Real time: the new silo process is still starting; a node's network coming back retries like this.
                    await Task.Delay(200, timeout.Token);
                }
            }

            var readings = new List<int>();
            while (readings.Count < Readings)
            {
                var received = await phone.ReceiveAsync(timeout.Token);
                readings.Add(int.Parse(Encoding.UTF8.GetString(received.Payload.Span)["n=".Length..], CultureInfo.InvariantCulture));
            }

            Assert.Equal(Enumerable.Range(1, Readings), readings);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    public void Dispose()
    {
        data.Dispose();
        homes.Dispose();
    }
}
