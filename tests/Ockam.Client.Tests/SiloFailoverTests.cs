using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;
using Xunit.Abstractions;

namespace Ockam.Client.Tests;

/// <summary>
/// Two silos on PostgreSQL, as the README starts them (probing each other every 2 s); a phone and a monitor are each given both silos' addresses. The
/// phone listens on its relay through silo A; the monitor sends a reading every 100 ms over an end-to-end channel
/// through silo B. Silo A's process is killed (SIGKILL): the phone's node reconnects to B at once, and the relay — if it
/// lived on A — comes back on B once the cluster declares A dead, when B's gateway connects the phone to it again. The
/// readings the phone gets are in order and never twice, and they flow again within 15 s of the kill. Beside them the
/// monitor seals a reading to the phone's relay every 100 ms: each one its node handed to silo B arrives, once, in order.
/// </summary>
public sealed class SiloFailoverTests(ITestOutputHelper output) : IDisposable
{
    private static readonly Policy MonitorPolicy = Policy.Parse("(= subject.ockam.role \"monitor\")");
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan Goal = TimeSpan.FromSeconds(15);
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();

    [Fact]
    public async Task Relayed_readings_resume_in_order_within_15_s_of_a_silo_kill_with_nodes_moving_to_the_other_silo()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var timeout = new CancellationTokenSource(Within);
        await using var cluster = await FailoverCluster.StartAsync(database.ConnectionString, data.Path, Within);
        var (siloA, siloB) = (cluster.A, cluster.B);
        using var operator_ = await SiloOperator.ConnectAsync(cluster.GatewayB, timeout.Token);
        var grains = operator_.Services.GetRequiredService<IGrainFactory>();
        var (a, b) = (cluster.EdgeA, cluster.EdgeB);

        await using var phone = await SiloOperator.EnrolledNodeAsync(grains, siloB, Path.Combine(homes.Path, "phone"), $"{a},{b}", ("ockam.role", "phone"), ("ockam.relay", "phone"));
        await phone.CreateRelayAsync("phone", timeout.Token);
        await phone.AcceptAsync(MonitorPolicy, timeout.Token);
        await phone.ListenAsync("phone", timeout.Token);
        await using var monitor = await SiloOperator.EnrolledNodeAsync(grains, siloB, Path.Combine(homes.Path, "monitor"), $"{b},{a}", ("ockam.role", "monitor"));
        var channel = await monitor.ConnectAsync("phone", Policy.Parse("(= subject.ockam.role \"phone\")"), timeout.Token);

        var key = await monitor.GetMailKeyAsync("phone", phone.Identifier, timeout.Token);

        // Two streams, each a reading every 100 ms: "n" live over the end-to-end channel (nothing of the service
        // acknowledges it: what was in flight through the dead silo may be lost), and "s" sealed to the phone's relay
        // (handed to silo B's gateway, which survives: it stores each in the relay's mailbox, trying again while the
        // relay is unreachable, and the mailbox keeps it until the phone acknowledges it, so every one must arrive).
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var sealedSent = new List<int>();
        var sealedFailed = new List<int>();
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var sending = Task.Run(async () =>
        {
            while (!stopSending.IsCancellationRequested)
            {
                try
                {
                    await monitor.SendAsync(channel, Encoding.UTF8.GetBytes($"n={sent + 1}"), stopSending.Token);
                    sent++;
                    var number = sealedSent.Count + sealedFailed.Count + 1;
                    try
                    {
                        await monitor.SendSealedAsync("phone", key, Encoding.UTF8.GetBytes($"s={number}"), stopSending.Token);
                        lock (sealedSent)
                        {
                            sealedSent.Add(number);
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        lock (sealedSent)
                        {
                            sealedFailed.Add(number);
                        }
                    }

                    // Real time: the monitor's pace, one reading every 100 ms, as a heart-rate monitor sends.
                    await Task.Delay(100, stopSending.Token);
                }
                catch (OperationCanceledException) when (stopSending.IsCancellationRequested)
                {
                    return;
                }
            }
        });

        var readings = new NumberedReadings("phone", async token => (await phone.ReceiveAsync(token)).Payload, clock, output);
        string Status()
        {
            lock (sealedSent)
            {
                return $"{sent} sent live, {sealedSent.Count} sealed, {sealedFailed.Count} sealed sends failed";
            }
        }

        await readings.ReadUntilAsync(() => readings.All.Count >= 20, Status, timeout.Token);
        output.WriteLine(FormattableString.Invariant($"{clock.Elapsed.TotalSeconds:F1} s: {readings.All.Count} readings before the kill"));
        await siloA.KillAsync();
        var killedAt = clock.Elapsed;
        var sentAtKill = sent;
        int sealedAtKill;
        lock (sealedSent)
        {
            sealedAtKill = sealedSent.Count + sealedFailed.Count;
        }

        // Delivery has resumed once a reading sent after the kill arrives; then ten more, to see it stays up.
        await readings.ReadUntilAsync(() => readings.CountAfter(sentAtKill) >= 11, Status, timeout.Token);
        await stopSending.CancelAsync();
        await sending;

        // Every sealed reading handed to the surviving silo is owed to the phone, the last ones included.
        var lastSealed = sealedSent.Max();
        await readings.ReadUntilAsync(() => readings.Numbers("s").LastOrDefault() >= lastSealed, Status, timeout.Token);

        var resumed = readings.FirstAfter(sentAtKill) - killedAt;
        var sealedResumed = readings.FirstAfter(sealedAtKill, "s") - killedAt;
        output.WriteLine(FormattableString.Invariant(
            $"kill to resumed delivery: live {resumed.TotalSeconds:F1} s, sealed {sealedResumed.TotalSeconds:F1} s; {readings.Numbers().Count} live readings of {sent} sent arrived ({sentAtKill} sent before the kill), {readings.Numbers("s").Count} sealed of {sealedSent.Count} sent ({sealedFailed.Count} sends failed)"));
        readings.AssertInOrderOnce();
        readings.AssertInOrderOnce("s");
        readings.AssertArrived(sealedSent, "s");
        Assert.True(resumed < Goal, $"delivery resumed {resumed.TotalSeconds:F1} s after the kill, beyond {Goal.TotalSeconds} s");
        Assert.True(sealedResumed < Goal, $"sealed delivery resumed {sealedResumed.TotalSeconds:F1} s after the kill, beyond {Goal.TotalSeconds} s");
    }

    public void Dispose()
    {
        data.Dispose();
        homes.Dispose();
    }
}
