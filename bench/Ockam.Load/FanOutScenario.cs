using System.Diagnostics;
using Ockam.Client.Edge;
using Ockam.Messaging.Api;

namespace Ockam.Load;

/// <summary>
/// A topic's publisher and N subscribers listening on their relays: deliveries per second, and the time from a
/// publication to its last subscriber.
/// </summary>
internal sealed class FanOutScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public static string Deliveries(int subscribers) => $"fan-out to {Figure.Count(subscribers)} subscribers: deliveries";

    public static string P50(int subscribers) => $"fan-out to {Figure.Count(subscribers)}: publish → last subscriber p50";

    public static string P99(int subscribers) => $"fan-out to {Figure.Count(subscribers)}: publish → last subscriber p99";

    public static string ServiceCpu(int subscribers) => $"fan-out to {Figure.Count(subscribers)}: the service's CPU per delivery";

    public static string SubscriberCpu(int subscribers) => $"fan-out to {Figure.Count(subscribers)}: subscribers' CPU per delivery";

    public static string Ceiling(int subscribers) => $"fan-out to {Figure.Count(subscribers)}: bound if subscribers only verified signatures, beside Mosquitto's measured deliveries";

    public override string Name => "topic fan-out";

    /// <summary>The set-up's time, the deliveries' time, and 10 s to start the silo and stop everything.</summary>
    public override TimeSpan QuickBudget => SetUpTime + DeliveryTime + TimeSpan.FromSeconds(10);

    /// <summary>
    /// 65 s per 100 subscribers: set-up (enrolling, joining: every member processes each admission commit after its own)
    /// grows faster than the number of subscribers, so a larger topic is given proportionally more.
    /// </summary>
    private TimeSpan SetUpTime => TimeSpan.FromSeconds(65) * Math.Max(1, Settings.FanOutSubscribers / 100);

    /// <summary>1 ms for each delivery, warm-up included (about ten times what they take here), and at least 30 s.</summary>
    private TimeSpan DeliveryTime => TimeSpan.FromMilliseconds(Math.Max(30_000, (long)Settings.FanOutSubscribers * (WarmUps + Publications)));

    private int Publications => Settings.Publications(Settings.FanOutSubscribers);

    /// <summary>
    /// At least 50 000 deliveries' worth (50 publications to 1 000): with 10 publications to 1 000, the silo's (and
    /// subscribers') hot paths were still being recompiled at tier 1 during the measured ones — 20 to 40 % of the
    /// silo's CPU samples were the JIT's; after 100 publications to 100, the silo's CPU per delivery was 3 times that
    /// after 500.
    /// </summary>
    private int WarmUps => Math.Max(Publications / 2, MinWarmUpDeliveries / Settings.FanOutSubscribers);

    /// <summary>How many messages a subscriber reads between acknowledgements (cumulative: the last covers them all).</summary>
    private const int AcknowledgeEvery = 50;

    /// <summary>Deliveries made before the measured ones, at the least.</summary>
    private const int MinWarmUpDeliveries = 50_000;

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var count = Settings.FanOutSubscribers;
        // Each subscriber saves its place in the topic about once a second (two flushes): a thousand of them on the one
        // disk of the silo queue where a fleet's devices each flush their own, as enrolling devices would.
        var (silo, fleet) = await SiloAsync(10_000, cancellationToken, homesRoot: Settings.DeviceHomes).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        var topic = fleet.Tagged("readings");
        var group = GroupId.Topic(topic);
        var clock = Stopwatch.StartNew();
        List<RoomClient> subscribers = [];
        RoomClient publishing;
        using (var setup = Within(Settings.Bound(SetUpTime), cancellationToken))
        {
            try
            {
                var publisher = await fleet.EnrolledAsync("publisher", relay: true, setup.Token, ("ockam.role", "publisher"), ("ockam.topic", topic)).ConfigureAwait(false);
                await publisher.ListenAsync(fleet.Tagged("publisher"), setup.Token).ConfigureAwait(false);
                publishing = await publisher.RoomsAsync(setup.Token).ConfigureAwait(false);
                await publishing.CreateTopicAsync(topic, fleet.Tagged("publisher"), "(= subject.ockam.role \"subscriber\")", "(= subject.ockam.role \"publisher\")", setup.Token).ConfigureAwait(false);
                // One admission commit's worth at a time, each admitted once the members before it have processed the
                // previous commit: every member of the 2 cores' simulated fleet verifies each later commit's new members,
                // and a wave of that work queued behind the publisher's own calls would time them out.
                foreach (var wave in Enumerable.Range(0, count).Chunk(RoomClient.MaxAddsPerCommit))
                {
                    foreach (var batch in wave.Chunk(Settings.EnrolmentConcurrency))
                    {
                        subscribers.AddRange(await Task.WhenAll(batch.Select(async i =>
                        {
                            var name = $"s{i}";
                            var node = await fleet.EnrolledAsync(name, relay: true, setup.Token, ("ockam.role", "subscriber")).ConfigureAwait(false);
                            await node.ListenAsync(fleet.Tagged(name), setup.Token).ConfigureAwait(false);
                            var rooms = await node.RoomsAsync(setup.Token).ConfigureAwait(false);
                            await rooms.SubscribeAsync(topic, fleet.Tagged(name), setup.Token).ConfigureAwait(false);
                            return rooms;
                        })).ConfigureAwait(false));
                    }

                    await publishing.AdmitPendingAsync(topic, setup.Token).ConfigureAwait(false);
                    var epoch = publishing.Epoch(group);
                    while (subscribers.Count(s => Joined(s, group) >= epoch) < subscribers.Count)
                    {
                        await Task.Delay(250, setup.Token).ConfigureAwait(false);
                    }

                    progress(0.5 * subscribers.Count / count);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException or EdgeException)
            {
                Results.Ours(Deliveries(count), Figure.DidNotComplete("deliveries/s", $"set-up did not finish in {Seconds(clock.Elapsed)} ({subscribers.Count} subscribed): {e.GetType().Name}"));
                return;
            }
        }

        var setupTime = clock.Elapsed;
        var publications = Publications;
        var warmUps = WarmUps;
        var published = new long[publications];
        var last = new long[publications];
        var delivered = 0;
        var warmed = 0;
        var all = count * publications;
        var everyone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var warm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var bound = Within(Settings.Bound(DeliveryTime), cancellationToken);
        var receiving = subscribers.Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < warmUps + publications; i++)
            {
                var message = await s.ReceiveAsync(bound.Token).ConfigureAwait(false);

                // As a consumer does once it has shown what it read: acknowledgements are cumulative (each one saves the
                // topic's state at once), so one every AcknowledgeEvery. Unacknowledged messages stay in the saved state
                // (each save seals them all again) and, at RoomStore.MaxUnshown, reading stops.
                if ((i + 1) % AcknowledgeEvery == 0 || i == warmUps + publications - 1)
                {
                    await s.AcknowledgeAsync(message, bound.Token).ConfigureAwait(false);
                }

                var sequence = Reading.Sequence(message.Payload.Span);
                if (sequence < 0)
                {
                    if (Interlocked.Increment(ref warmed) == count * warmUps)
                    {
                        warm.TrySetResult();
                    }

                    continue;
                }

                if (sequence < publications)
                {
                    InterlockedMax(ref last[sequence], Stopwatch.GetTimestamp());
                }

                if (Interlocked.Increment(ref delivered) == all)
                {
                    everyone.TrySetResult();
                }
            }
        }, CancellationToken.None)).ToList();
        TimeSpan? siloCpu = null;
        var toolCpu = TimeSpan.Zero;
        var start = 0L;
        try
        {
            // The silo is a fresh process: its publish, fan-out and push paths are compiled during these (not measured),
            // as the online scenario warms up too; Mosquitto's broker is native and its clients ran before.
            for (var i = 0; i < warmUps; i++)
            {
                await publishing.SendAsync(group, Reading.Create(-1 - i), bound.Token).ConfigureAwait(false);
            }

            await warm.Task.WaitAsync(bound.Token).ConfigureAwait(false);
            siloCpu = silo.CpuTime;
            toolCpu = Environment.CpuUsage.TotalTime;
            start = Stopwatch.GetTimestamp();
            for (var i = 0; i < publications; i++)
            {
                published[i] = Stopwatch.GetTimestamp();
                await publishing.SendAsync(group, Reading.Create(i), bound.Token).ConfigureAwait(false);
                progress(0.5 + (0.5 * Volatile.Read(ref delivered) / all));
            }

            await everyone.Task.WaitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or EdgeException)
        {
            Results.Ours(Deliveries(count), Figure.DidNotComplete("deliveries/s", start == 0
                ? $"{warmed} of {count * warmUps} warm-up deliveries"
                : $"{delivered} of {all} deliveries in {Seconds(Stopwatch.GetElapsedTime(start))}"));
            return;
        }

        var elapsed = Stopwatch.GetElapsedTime(start);

        // Per delivery: the silo's own process, and this tool's (every subscriber's decrypting and saving lives here).
        var subscribersUs = (Environment.CpuUsage.TotalTime - toolCpu).TotalMicroseconds / all;
        var siloUs = (silo.CpuTime - siloCpu)?.TotalMicroseconds / all;
        var toLast = Enumerable.Range(0, publications).Select(i => Stopwatch.GetElapsedTime(published[i], last[i]).TotalMilliseconds).ToList();
        Results.Ours(Deliveries(count), new Figure(all / elapsed.TotalSeconds, "deliveries/s", $"{publications} publications of 256 B, one after another, after {warmUps} of warm-up; set-up (enrol, subscribe, admit, join) {setupTime.TotalSeconds:F0} s; {Homes}"));
        Results.Ours(P50(count), new Figure(Percentiles.Of(toLast, 0.50), "ms"));
        Results.Ours(P99(count), new Figure(Percentiles.Of(toLast, 0.99), "ms"));
        await Task.WhenAll(receiving).ConfigureAwait(false);

        // Timed once the deliveries are done, so that they do not slow it; the silo and subscribers idle meanwhile.
        var verifyUs = SignatureCheck.Microseconds(5_000);

        // The silo's CPU is known only for a silo this tool started, or one given with --connect-pid. Both processes share
        // these cores: subscribers that did nothing but that check could still deliver no more than the ceiling.
        Figure? ceiling = null;
        if (siloUs is { } service)
        {
            Results.Ours(ServiceCpu(count), new Figure(service, "µs", "the silo process"));
            ceiling = new Figure(Environment.ProcessorCount * 1e6 / (service + verifyUs), "deliveries/s", $"{Environment.ProcessorCount} cores ÷ (the silo's {service:F1} µs + one signature check's {verifyUs:F1} µs) per delivery: no subscriber can do less, and Mosquitto's figure is what it measured");
        }

        Results.Ours(SubscriberCpu(count), new Figure(subscribersUs, "µs", $"all subscribers in this tool; of it, about {verifyUs:F1} µs is the Ed25519 check of the publisher's signature that RFC 9420 (§6.1) has every member make on each message (libsodium, timed apart in this run)"));
        if (ceiling is not null)
        {
            Results.Ours(Ceiling(count), ceiling);
        }
    }

    private static ulong Joined(RoomClient rooms, GroupId group)
    {
        try
        {
            return rooms.Epoch(group);
        }
        catch (EdgeException)
        {
            return 0;
        }
    }

    private static void InterlockedMax(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
