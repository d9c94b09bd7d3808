using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Identity.Policies;
using Xunit.Abstractions;

namespace Ockam.Client.Tests;

/// <summary>
/// The embedded default, one silo on SQLite, killed (SIGKILL) and started again on the same data and ports while a
/// monitor seals a reading to a listening phone every 100 ms; both nodes stay up throughout. The phone's node notices
/// the broken connection, reconnects once the silo is back and listens on its relay again by itself; the monitor's node
/// never sends into its broken channel (a redial would reach a silo process that drops it unread): its next send opens
/// a new one, waiting (or failing, when it tries again as an application would) while the silo is away. The phone gets
/// its readings in order and never twice, and delivery resumes soon after the restart. Before the monitor dropped its
/// broken channel, nothing it sent after the kill ever arrived.
/// (A live end-to-end channel does not survive: its route runs through the old connection; sealed mail, routed afresh
/// each time, does.)
/// </summary>
public sealed class LoneSiloRestartTests(ITestOutputHelper output) : IDisposable
{
    private static readonly Policy MonitorPolicy = Policy.Parse("(= subject.ockam.role \"monitor\")");
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();

    [Fact]
    public async Task Sealed_readings_resume_in_order_after_a_lone_sqlite_silo_is_killed_and_started_again_with_both_nodes_left_running()
    {
        using var timeout = new CancellationTokenSource(Within);
        var (edge, gateway) = (RunningSilo.FreePort(), RunningSilo.FreePort());
        string[] options =
        [
            "--storage", "Sqlite", "--edge-port", edge.ToString(CultureInfo.InvariantCulture), "--gateway-port", gateway.ToString(CultureInfo.InvariantCulture),
            "--cluster-tls", "false", "--print-admin-token", "true",
        ];
        var silo = await SiloProcess.StartAsync(data.Path, Within, options);
        try
        {
            EdgeNode phone, monitor;
            using (var operator_ = await SiloOperator.ConnectAsync(gateway, timeout.Token))
            {
                var grains = operator_.Services.GetRequiredService<IGrainFactory>();
                phone = await SiloOperator.EnrolledNodeAsync(grains, silo, Path.Combine(homes.Path, "phone"), ("ockam.role", "phone"), ("ockam.relay", "phone"));
                monitor = await SiloOperator.EnrolledNodeAsync(grains, silo, Path.Combine(homes.Path, "monitor"), ("ockam.role", "monitor"));
                await operator_.StopAsync(timeout.Token);
            }

            await using var _ = phone;
            await using var __ = monitor;
            await phone.CreateRelayAsync("phone", timeout.Token);
            await phone.AcceptAsync(MonitorPolicy, timeout.Token);
            await phone.ListenAsync("phone", timeout.Token);
            var key = await monitor.GetMailKeyAsync("phone", phone.Identifier, timeout.Token);

            var clock = Stopwatch.StartNew();
            var sent = 0;
            var failedSends = 0;
            using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            var sending = Task.Run(async () =>
            {
                while (!stopSending.IsCancellationRequested)
                {
                    try
                    {
                        await monitor.SendSealedAsync("phone", key, Encoding.UTF8.GetBytes($"n={sent + 1}"), stopSending.Token);
                        sent++;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !stopSending.IsCancellationRequested)
                    {
                        // The silo is away: the same reading again, after the pause.
                        failedSends++;
                    }

                    try
                    {
                        await Task.Delay(100, stopSending.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            });

            var readings = new NumberedReadings("phone", async token => (await phone.ReceiveAsync(token)).Payload, clock, output);
            string Status() => $"{sent} sent, {failedSends} sends failed";
            await readings.ReadUntilAsync(() => readings.All.Count >= 20, Status, timeout.Token);
            await silo.KillAsync();
            var killedAt = clock.Elapsed;
            var sentAtKill = sent;
            await silo.DisposeAsync();
            silo = await SiloProcess.StartAsync(data.Path, Within, options);
            var restartedAt = clock.Elapsed;
            output.WriteLine(FormattableString.Invariant($"killed at {killedAt.TotalSeconds:F1} s ({readings.All.Count} readings, {sent} sent), ready again at {restartedAt.TotalSeconds:F1} s"));

            // Delivery has resumed once a reading sent after the kill arrives; then ten more, to see it stays up.
            await readings.ReadUntilAsync(() => readings.CountAfter(sentAtKill) >= 11, Status, timeout.Token);
            await stopSending.CancelAsync();
            await sending;

            var resumed = readings.FirstAfter(sentAtKill);
            output.WriteLine(FormattableString.Invariant(
                $"killed at {killedAt.TotalSeconds:F1} s, the new silo process ready at {restartedAt.TotalSeconds:F1} s, delivery resumed at {resumed.TotalSeconds:F1} s ({(resumed - killedAt).TotalSeconds:F1} s after the kill, {(resumed - restartedAt).TotalSeconds:F1} s after the new process was ready); {readings.All.Count} readings of {sent} sent arrived, {failedSends} sends failed while it was away"));
            readings.AssertInOrderOnce();
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
