using System.Diagnostics;
using System.Globalization;
using Ockam.Client.Edge;
using Ockam.Messaging.Api;

namespace Ockam.Load;

/// <summary>
/// The flooding side of the flood shape, run by <see cref="ChildScenarioProcess"/> in a process of its own against the
/// parent's silo: one enrolled identity sends requests from many concurrent callers as fast as the silo answers them and
/// sealed mail into a relay as fast as it can seal, and another opens fresh connections and channels one after another,
/// for <see cref="FloodScenario.FloodTime"/>. It ends with what it got done (<see cref="Counts"/>).
/// </summary>
internal sealed class FlooderScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    private const int FloodCallers = 64;

    public override string Name => "flooding the gateway (for the flood shape)";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(90);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var (silo, fleet) = await SiloAsync(10_000, cancellationToken).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        var flooder = await fleet.EnrolledAsync("flooder", relay: false, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);
        var handshaker = await fleet.EnrolledAsync("handshaker", relay: false, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);

        // The flood's relay: its owner has gone away, so what the flooder seals to it waits (up to the mailbox's bound).
        var sink = await fleet.EnrolledAsync("sink", relay: true, cancellationToken, ("ockam.role", "peer")).ConfigureAwait(false);
        var sinkKey = await flooder.GetMailKeyAsync(fleet.Tagged("sink"), sink.Identifier, cancellationToken).ConfigureAwait(false);
        await fleet.CloseAsync(sink).ConfigureAwait(false);

        using var flooding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long answered = 0, refused = 0, sealedSent = 0, handshakes = 0;
        var callers = Enumerable.Range(0, FloodCallers).Select(_ => Loop(async token =>
        {
            try
            {
                await flooder.PingAsync(token).ConfigureAwait(false);
                Interlocked.Increment(ref answered);
            }
            catch (EdgeException e) when (e.Status == ApiStatus.TooManyRequests)
            {
                Interlocked.Increment(ref refused);
            }
        })).ToList();
        var payload = new byte[256];
        callers.Add(Loop(async token =>
        {
            await flooder.SendSealedAsync(fleet.Tagged("sink"), sinkKey, payload, token).ConfigureAwait(false);
            Interlocked.Increment(ref sealedSent);
        }));
        callers.Add(Loop(async token =>
        {
            await handshaker.GoOfflineAsync().ConfigureAwait(false);
            await handshaker.PingAsync(token).ConfigureAwait(false);
            Interlocked.Increment(ref handshakes);
        }));

        ChildScenarioProcess.SayStarted();
        var clock = Stopwatch.StartNew();
        await Task.Delay(FloodScenario.FloodTime(Settings), cancellationToken).ConfigureAwait(false);

        // Counted as the flood ends: the callers' last calls, cancelled, take a while to return.
        var counts = new Counts(Interlocked.Read(ref answered), Interlocked.Read(ref refused), Interlocked.Read(ref sealedSent), Interlocked.Read(ref handshakes), clock.Elapsed.TotalSeconds);
        ChildScenarioProcess.SayEnded(counts.ToString());
        await flooding.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(callers).ConfigureAwait(false);

        Task Loop(Func<CancellationToken, Task> once) => Task.Run(
            async () =>
            {
                while (!flooding.IsCancellationRequested)
                {
                    try
                    {
                        await once(flooding.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is OperationCanceledException or TimeoutException or EdgeException)
                    {
                    }
                }
            },
            CancellationToken.None);
    }

    /// <summary>What the flood got done over <see cref="Seconds"/>, as the child says it and the parent reads it.</summary>
    public sealed record Counts(long Answered, long Refused, long Sealed, long Handshakes, double Seconds)
    {
        public static Counts Parse(string line)
        {
            var fields = line.Split(' ');
            return new Counts(long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[2], CultureInfo.InvariantCulture), long.Parse(fields[3], CultureInfo.InvariantCulture), double.Parse(fields[4], CultureInfo.InvariantCulture));
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Answered} {Refused} {Sealed} {Handshakes} {Seconds:F3}");
    }
}
