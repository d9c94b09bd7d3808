using System.Diagnostics;
using Ockam.Client.Edge;
using Ockam.Messaging.Api;

namespace Ockam.Load;

/// <summary>
/// Another pair's round trip (as in <see cref="CrossTrafficScenario"/>) quiet, then while one enrolled identity floods
/// the gateway with requests from many concurrent callers as fast as the silo answers them and sealed mail into a relay
/// as fast as it can seal, and another opens fresh connections and channels one after another. The gateway's per-identity rate (past it the flooder's channels are paced: read no further until
/// its turn; <c>TooManyRequests</c> only past the patience) should keep the others' p99 within 2 × of the quiet figure (issue 13's goal). The flooder runs in this process, so
/// its own CPU competes with the pair's on the same cores, as a flood from one machine of a fleet would not.
/// </summary>
internal sealed class FloodScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    private const int FloodCallers = 64;

    public static string P99 => "another pair's round trip p99 while one identity floods requests and relay sends";

    public static string Quiet => "another pair's round trip p99, quiet (same run)";

    public override string Name => "round trips beside one identity's flood";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(90);

    private TimeSpan PhaseTime => Settings.Quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(15);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        // The gateway's default rates, which the other scenarios lift: they are the defence measured here.
        var (silo, fleet) = await SiloAsync(10_000, cancellationToken, productionRates: true).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        await using var pair = await PingPair.StartAsync(fleet, cancellationToken).ConfigureAwait(false);
        var flooder = await fleet.EnrolledAsync("flooder", relay: false, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);

        // Handshakes from one identity: a member dropping its connection and opening a fresh channel (identity, credential) again and again.
        var handshaker = await fleet.EnrolledAsync("handshaker", relay: false, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);

        // The flood's relay: its owner has gone away, so what the flooder seals to it waits (up to the mailbox's bound).
        var sink = await fleet.EnrolledAsync("sink", relay: true, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);
        var sinkKey = await flooder.GetMailKeyAsync(fleet.Tagged("sink"), sink.Identifier, cancellationToken).ConfigureAwait(false);
        await fleet.CloseAsync(sink).ConfigureAwait(false);

        await pair.PingAsync(0, Task.Delay(PhaseTime / 2, cancellationToken), cancellationToken).ConfigureAwait(false);
        var (siloQuiet, selfQuiet) = (silo.CpuTime, Environment.CpuUsage.TotalTime);
        var quiet = await pair.PingAsync(1_000_000, Task.Delay(PhaseTime, cancellationToken), cancellationToken).ConfigureAwait(false);
        (siloQuiet, selfQuiet) = (silo.CpuTime - siloQuiet, Environment.CpuUsage.TotalTime - selfQuiet);
        progress(0.4);

        using var flooding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long answered = 0, refused = 0, sealedSent = 0, handshakes = 0;
        var callers = Enumerable.Range(0, FloodCallers).Select(_ => Task.Run(async () =>
        {
            while (!flooding.IsCancellationRequested)
            {
                try
                {
                    await flooder.PingAsync(flooding.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref answered);
                }
                catch (EdgeException e) when (e.Status == ApiStatus.TooManyRequests)
                {
                    Interlocked.Increment(ref refused);
                }
                catch (Exception e) when (e is OperationCanceledException or TimeoutException)
                {
                }
            }
        }, CancellationToken.None)).ToList();
        callers.Add(Task.Run(async () =>
        {
            var payload = new byte[256];
            while (!flooding.IsCancellationRequested)
            {
                try
                {
                    await flooder.SendSealedAsync(fleet.Tagged("sink"), sinkKey, payload, flooding.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref sealedSent);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, CancellationToken.None));

        callers.Add(Task.Run(async () =>
        {
            while (!flooding.IsCancellationRequested)
            {
                try
                {
                    await handshaker.GoOfflineAsync().ConfigureAwait(false);
                    await handshaker.PingAsync(flooding.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref handshakes);
                }
                catch (Exception e) when (e is OperationCanceledException or TimeoutException or EdgeException)
                {
                }
            }
        }, CancellationToken.None));

        var flooded = Stopwatch.StartNew();
        var (siloBusy, selfBusy) = (silo.CpuTime, Environment.CpuUsage.TotalTime);
        var busy = await pair.PingAsync(2_000_000, Task.Delay(PhaseTime, cancellationToken), cancellationToken).ConfigureAwait(false);
        (siloBusy, selfBusy) = (silo.CpuTime - siloBusy, Environment.CpuUsage.TotalTime - selfBusy);

        // Counted as the phase ends: the callers' last calls, cancelled, take a while to return.
        var seconds = flooded.Elapsed.TotalSeconds;
        var counted = (Answered: Interlocked.Read(ref answered), Refused: Interlocked.Read(ref refused), Sealed: Interlocked.Read(ref sealedSent), Handshakes: Interlocked.Read(ref handshakes));
        await flooding.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(callers).ConfigureAwait(false);
        var note = $"the flood, one identity over {seconds:F1} s: {counted.Answered / seconds:F0} requests/s answered, {counted.Refused / seconds:F0}/s refused TooManyRequests, "
            + $"{counted.Sealed / seconds:F0} sealed messages/s sent to a relay; another identity {counted.Handshakes / seconds:F0} fresh channels/s (connection, handshake, request); {busy.Times.Count} round trips ({PingPair.Pace}), {busy.Lost} lost; quiet p50 {Percentiles.Of(quiet.Times, 0.50):F1} ms, flooded p50 {Percentiles.Of(busy.Times, 0.50):F1} ms; "
            + $"cores busy quiet / flooded: silo {siloQuiet / PhaseTime:F2} / {siloBusy / TimeSpan.FromSeconds(seconds):F2}, this tool {selfQuiet / PhaseTime:F2} / {selfBusy / TimeSpan.FromSeconds(seconds):F2}";
        var (quietP99, busyP99) = (Percentiles.Of(quiet.Times, 0.99), Percentiles.Of(busy.Times, 0.99));
        Results.Ours(Quiet, new Figure(quietP99, "ms"));
        Results.Ours(P99, new Figure(busyP99, "ms", $"{busyP99 / quietP99:F2} × the quiet p99 (goal ≤ 2); {note}"));
    }
}
