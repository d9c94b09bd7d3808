using System.Diagnostics;

namespace Ockam.Load;

/// <summary>Monitor → relay → phone with the phone online: readings per second and their latency, a window of readings outstanding.</summary>
internal sealed class OnlineScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public const string Rate = "online: monitor → relay → phone, 256 B";
    public const string P50 = "online: latency p50";
    public const string P99 = "online: latency p99";

    /// <summary>Readings sent and received before the measured phase, at least.</summary>
    public const int WarmUp = 2_000;

    /// <summary>How long the warm-up lasts, at least (in rounds of <see cref="WarmUp"/> readings).</summary>
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(8);

    public override string Name => "online relayed";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(60);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var (silo, fleet) = await SiloAsync(20_000, cancellationToken).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        var pair = await fleet.PairAsync("phone", "monitor", cancellationToken).ConfigureAwait(false);

        // A warm-up that is not counted: grain activation, the channel's first messages, and the JIT's tiers. With a single
        // window of warm-up, the JIT's background compiler took 5 to 30 % of the silo's CPU samples in the measured phase
        // (perf, 20 000 readings): a cost a long-running silo has paid long before, and Mosquitto (C) never pays.
        // Rounds until WarmUpTime has passed: on a loaded machine the background compiler falls behind, and a warm-up of
        // 2 000 readings left it compiling through the measured phase (perf: 40 % of the silo's samples, and its CPU
        // per message twice that of a run with tiered compilation off).
        var warmed = 0;
        using (var warming = Within(TimeSpan.FromSeconds(30), cancellationToken))
        {
            var warmUp = Stopwatch.StartNew();
            do
            {
                if ((await SendAndReceiveAsync(pair, WarmUp, Settings.Window, _ => { }, warming.Token).ConfigureAwait(false)).Received < WarmUp)
                {
                    Results.Ours(Rate, Figure.DidNotComplete("msg/s", "the warm-up readings did not arrive in 30 s"));
                    return;
                }

                warmed += WarmUp;
            }
            while (warmUp.Elapsed < WarmUpTime);
        }

        var count = Settings.OnlineMessages;
        var latencies = new List<double>(count);
        var cpu = silo.CpuTime;
        var tool = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var bound = Within(Settings.Bound(TimeSpan.FromSeconds(30)), cancellationToken);
        var (received, disorder) = await SendAndReceiveAsync(pair, count, Settings.Window, age =>
        {
            latencies.Add(age);
            if (latencies.Count % 100 == 0)
            {
                progress((double)latencies.Count / count);
            }
        }, bound.Token).ConfigureAwait(false);
        clock.Stop();
        if (received < count)
        {
            Results.Ours(Rate, Figure.DidNotComplete("msg/s", $"{received} of {count} arrived in {Seconds(clock.Elapsed)}"));
            Results.Ours(P50, Figure.DidNotComplete("ms", ""));
            Results.Ours(P99, Figure.DidNotComplete("ms", ""));
            return;
        }

        // The tool's own CPU counts too: its two edge nodes (monitor and phone) are the clients, as MQTTnet's are Mosquitto's.
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - tool).TotalMilliseconds / count;
        var cpuNote = silo.CpuTime - cpu is { } used ? $"silo CPU {used.TotalMilliseconds / count:F3} ms per message; " : "";
        Results.Ours(Rate, new Figure(count / clock.Elapsed.TotalSeconds, "msg/s", $"{count} readings after {warmed} of warm-up, {Settings.Window} outstanding; {cpuNote}client CPU {clientCpu:F3} ms per message; {disorder} out of order"));
        Results.Ours(P50, new Figure(Percentiles.Of(latencies, 0.50), "ms"));
        Results.Ours(P99, new Figure(Percentiles.Of(latencies, 0.99), "ms"));
    }

    /// <summary>Sends <paramref name="count"/> readings, at most a window outstanding; returns how many arrived and how many out of order.</summary>
    internal static async Task<(int Received, int Disorder)> SendAndReceiveAsync(Pair pair, int count, int outstanding, Action<double> arrived, CancellationToken cancellationToken)
    {
        using var window = new SemaphoreSlim(outstanding);
        var received = 0;
        var disorder = 0;
        var receiving = Task.Run(async () =>
        {
            var expected = -1L;
            while (received < count)
            {
                var reading = await pair.Phone.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                var sequence = Reading.Sequence(reading.Payload.Span);
                if (expected >= 0 && sequence != expected + 1)
                {
                    disorder++;
                }

                expected = sequence;
                arrived(Reading.AgeMilliseconds(reading.Payload.Span));
                received++;
                window.Release();
            }
        }, CancellationToken.None);
        try
        {
            for (var i = 0; i < count; i++)
            {
                await window.WaitAsync(cancellationToken).ConfigureAwait(false);
                await pair.Monitor.SendAsync(pair.Channel, Reading.Create(i), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Bounded: what arrived by now is the answer.
        }

        try
        {
            await receiving.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return (received, disorder);
    }
}
