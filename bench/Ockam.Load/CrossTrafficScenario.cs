using System.Diagnostics;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;

namespace Ockam.Load;

/// <summary>
/// Another pair's round trip (a ping through the other's relay and the answer back through its own) while one
/// relay's mailbox fills for an offline phone: one busy relay should not slow anyone else.
/// </summary>
internal sealed class CrossTrafficScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public static string P99(int depth) => $"another pair's round trip p99 while a relay fills to {Figure.Count(depth)}";

    public static string P50(int depth) => $"another pair's round trip p50 while a relay fills to {Figure.Count(depth)}";

    public override string Name => "round trips beside a filling relay";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(60);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var depth = Settings.CrossFill;
        var (silo, fleet) = await SiloAsync(Math.Max(depth * 2, 10_000), cancellationToken).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        var filling = await fleet.PairAsync("phone", "monitor", cancellationToken).ConfigureAwait(false);
        var relay = silo.Grains.GetGrain<IRelayGrain>(filling.Relay);

        // The other pair: each owns a relay and has a channel through the other's.
        var peers = Policy.Parse("(= subject.ockam.role \"peer\")");
        var a = await fleet.EnrolledAsync("ping", relay: true, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);
        var b = await fleet.EnrolledAsync("pong", relay: true, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);
        foreach (var (node, name) in new[] { (a, "ping"), (b, "pong") })
        {
            await node.AcceptAsync(peers, cancellationToken).ConfigureAwait(false);
            await node.ListenAsync(fleet.Tagged(name), cancellationToken).ConfigureAwait(false);
        }

        var toB = await a.ConnectAsync(fleet.Tagged("pong"), peers, cancellationToken).ConfigureAwait(false);
        var toA = await b.ConnectAsync(fleet.Tagged("ping"), peers, cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var echo = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var ping = await b.ReceiveAsync(stop.Token).ConfigureAwait(false);
                await b.SendAsync(toA, ping.Payload, stop.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        async Task<double?> RoundTripAsync(long i, CancellationToken token)
        {
            using var within = Within(TimeSpan.FromSeconds(30), token);
            var clock = Stopwatch.StartNew();
            try
            {
                await a.SendAsync(toB, Reading.Create(i), within.Token).ConfigureAwait(false);
                while (Reading.Sequence((await a.ReceiveAsync(within.Token).ConfigureAwait(false)).Payload.Span) != i)
                {
                    // An answer to an earlier ping that timed out.
                }

                return clock.Elapsed.TotalMilliseconds;
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                return null;
            }
        }

        // Quiet baseline, then the same while the other relay fills.
        var quiet = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            if (await RoundTripAsync(i, cancellationToken).ConfigureAwait(false) is { } ms)
            {
                quiet.Add(ms);
            }
        }

        await OfflineScenario.GoOfflineAsync(filling, relay, cancellationToken).ConfigureAwait(false);
        using var fillDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var busy = new List<double>();
        var lost = 0;
        var pinging = Task.Run(async () =>
        {
            for (long i = 1_000; !fillDone.IsCancellationRequested; i++)
            {
                try
                {
                    if (await RoundTripAsync(i, fillDone.Token).ConfigureAwait(false) is { } ms)
                    {
                        busy.Add(ms);
                    }
                    else
                    {
                        // Counted at its bound: a lost answer is at least as slow as that.
                        busy.Add(30_000);
                        lost++;
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, CancellationToken.None);
        var fill = await OfflineScenario.FillAsync(filling, relay, depth, progress, Settings.Bound(TimeSpan.FromSeconds(25)), cancellationToken).ConfigureAwait(false);
        await fillDone.CancelAsync().ConfigureAwait(false);
        await pinging.ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await echo.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }

        var how = fill.Figure.Value is null ? $"the fill did not complete: {fill.Queued} queued; " : "";
        var note = $"{how}{busy.Count} round trips during the fill, {lost} lost (counted as 30 s); quiet p99 {Percentiles.Of(quiet, 0.99):F1} ms";
        Results.Ours(P50(depth), new Figure(Percentiles.Of(busy, 0.50), "ms"));
        Results.Ours(P99(depth), new Figure(Percentiles.Of(busy, 0.99), "ms", note));
    }
}
