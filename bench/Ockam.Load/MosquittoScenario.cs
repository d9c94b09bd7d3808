using System.Buffers;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;

namespace Ockam.Load;

/// <summary>
/// The same shapes against a Mosquitto broker on loopback, QoS 1, through MQTTnet: online publish → subscribe with
/// the same window of readings outstanding; enqueue for a persistent session (clean session off) that is away, then
/// its drain; fan-out of the same publications to N subscribers.
/// </summary>
internal sealed class MosquittoScenario(LoadSettings settings, Results results, int port, int? pid) : Scenario(settings, results)
{
    private readonly MqttClientFactory factory = new();

    public override string Name => "Mosquitto references";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(80);

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var shapes = 3 + Settings.MqttFanOutSubscribers.Length;

        // First, on the fresh broker: memory the other shapes' clients held and freed would be reused, and show nothing.
        await IdleAsync(Settings.Connections, cancellationToken).ConfigureAwait(false);
        progress(1.0 / shapes);
        await OnlineAsync(cancellationToken).ConfigureAwait(false);
        progress(2.0 / shapes);
        await OfflineAsync(cancellationToken).ConfigureAwait(false);
        progress(3.0 / shapes);
        var n = 3;
        foreach (var subscribers in Settings.MqttFanOutSubscribers)
        {
            await FanOutAsync(subscribers, cancellationToken).ConfigureAwait(false);
            progress(++n / (double)shapes);
        }
    }

    /// <summary>
    /// The broker's resident memory per idle client (each connected with a session and one subscription, as a device
    /// would be), beside the silo's per idle connection: known only when the tool is given the broker's pid.
    /// </summary>
    private async Task IdleAsync(int count, CancellationToken cancellationToken)
    {
        if (pid is not { } id)
        {
            return;
        }

        var clients = new List<IMqttClient>(count);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var before = Resident(id);
            var tag = Guid.NewGuid().ToString("N")[..8];
            foreach (var batch in Enumerable.Range(0, count).Chunk(50))
            {
                clients.AddRange(await Task.WhenAll(batch.Select(async i =>
                {
                    var client = await ConnectAsync($"idle{i}-{tag}", clean: true, _ => { }, cancellationToken).ConfigureAwait(false);
                    await SubscribeAsync(client, $"idle/{tag}/{i}", cancellationToken).ConfigureAwait(false);
                    return client;
                })).ConfigureAwait(false));
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            var perClient = (Resident(id) - before) / 1024.0 / count;
            Results.Reference(ConnectionsScenario.Resident(count), new Figure(perClient, "KiB", "VmRSS per idle client (connected, one subscription), measured first on the fresh broker"));
            Results.Reference(ConnectionsScenario.Heap(count), new Figure(perClient, "KiB", "its resident memory: it has no managed heap"));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private async Task OnlineAsync(CancellationToken cancellationToken)
    {
        var count = Settings.OnlineMessages;
        var topic = "online/" + Guid.NewGuid().ToString("N");
        var latencies = new List<double>(count);
        using var window = new SemaphoreSlim(Settings.Window);
        var received = 0;
        var disorder = 0;
        var expected = -1L;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var phone = await ConnectAsync("phone-" + topic[7..], clean: true, m =>
        {
            var payload = Bytes(m);
            var sequence = Reading.Sequence(payload);
            if (sequence < 0)
            {
                return;
            }

            disorder += expected >= 0 && sequence != expected + 1 ? 1 : 0;
            expected = sequence;
            if (sequence >= Settings.Window)
            {
                latencies.Add(Reading.AgeMilliseconds(payload));
            }

            window.Release();
            if (++received == count + Settings.Window)
            {
                all.TrySetResult();
            }
        }, cancellationToken).ConfigureAwait(false);
        await SubscribeAsync(phone, topic, cancellationToken).ConfigureAwait(false);
        using var monitor = await ConnectAsync("monitor-" + topic[7..], clean: true, null, cancellationToken).ConfigureAwait(false);
        using var bound = Within(Settings.Bound(TimeSpan.FromSeconds(20)), cancellationToken);
        var pending = new List<Task>(count + Settings.Window);
        var clock = new Stopwatch();
        var tool = TimeSpan.Zero;
        try
        {
            // The first window warms up, as for ours, and is not counted.
            for (var i = 0; i < count + Settings.Window; i++)
            {
                if (i == Settings.Window)
                {
                    clock.Start();
                    tool = Process.GetCurrentProcess().TotalProcessorTime;
                }

                await window.WaitAsync(bound.Token).ConfigureAwait(false);
                pending.Add(PublishAsync(monitor, topic, Reading.Create(i), bound.Token));
            }

            await all.Task.WaitAsync(bound.Token).ConfigureAwait(false);
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Results.Reference(OnlineScenario.Rate, Figure.DidNotComplete("msg/s", $"{received} arrived in {Seconds(clock.Elapsed)}"));
            return;
        }

        // The clients' CPU (MQTTnet in this process), to set beside our edge nodes'; the broker's own is not counted.
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - tool).TotalMilliseconds / count;
        var rate = new Figure(count / clock.Elapsed.TotalSeconds, "msg/s", $"client CPU {clientCpu:F3} ms per message; {disorder} out of order");
        Results.Reference(OnlineScenario.Rate, rate);

        // The same publish → subscribe is what a secure channel through the broker (MqttChannelScenario) is set beside.
        Results.Reference(MqttChannelScenario.Rate, rate);
        Results.Reference(OnlineScenario.P50, new Figure(Percentiles.Of(latencies, 0.50), "ms"));
        Results.Reference(OnlineScenario.P99, new Figure(Percentiles.Of(latencies, 0.99), "ms"));
    }

    private async Task OfflineAsync(CancellationToken cancellationToken)
    {
        foreach (var depth in Settings.OfflineDepths)
        {
            var id = Guid.NewGuid().ToString("N");
            var topic = "offline/" + id;
            var received = 0;
            var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void Arrived(MqttApplicationMessage m)
            {
                if (++received == depth)
                {
                    all.TrySetResult();
                }
            }

            // The phone's persistent session: subscribed at QoS 1, then away.
            using (var away = await ConnectAsync("phone-" + id, clean: false, Arrived, cancellationToken).ConfigureAwait(false))
            {
                await SubscribeAsync(away, topic, cancellationToken).ConfigureAwait(false);
                await away.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken).ConfigureAwait(false);
            }

            using var monitor = await ConnectAsync("monitor-" + id, clean: true, null, cancellationToken).ConfigureAwait(false);
            using var bound = Within(Settings.Bound(TimeSpan.FromSeconds(20)), cancellationToken);
            var clock = Stopwatch.StartNew();
            using var window = new SemaphoreSlim(Settings.Window);
            var pending = new List<Task>(depth);
            try
            {
                for (var i = 0; i < depth; i++)
                {
                    await window.WaitAsync(bound.Token).ConfigureAwait(false);
                    pending.Add(PublishAsync(monitor, topic, Reading.Create(i), bound.Token).ContinueWith(t => { window.Release(); return t; }, TaskScheduler.Default).Unwrap());
                }

                // Every PUBACK: the broker holds them all for the session.
                await Task.WhenAll(pending).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Results.Reference(OfflineScenario.Enqueue(depth), Figure.DidNotComplete("msg/s", $"not all acknowledged in {Seconds(clock.Elapsed)}"));
                continue;
            }

            var enqueued = clock.Elapsed;
            Results.Reference(OfflineScenario.Enqueue(depth), new Figure(depth / enqueued.TotalSeconds, "msg/s", $"{Settings.Window} PUBACKs outstanding"));
            clock.Restart();
            try
            {
                using var back = await ConnectAsync("phone-" + id, clean: false, Arrived, bound.Token).ConfigureAwait(false);
                await all.Task.WaitAsync(bound.Token).ConfigureAwait(false);
                Results.Reference(OfflineScenario.Drain(depth), new Figure(depth / clock.Elapsed.TotalSeconds, "msg/s"));
                await back.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Results.Reference(OfflineScenario.Drain(depth), Figure.DidNotComplete("msg/s", $"{received} of {depth} in {Seconds(clock.Elapsed)}"));
            }
        }
    }

    private async Task FanOutAsync(int count, CancellationToken cancellationToken)
    {
        var topic = "fanout/" + Guid.NewGuid().ToString("N");
        var publications = Settings.Publications(count);
        var last = new long[publications];
        var published = new long[publications];
        var delivered = 0;
        var all = count * publications;
        var everyone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscribers = new List<IMqttClient>(count);
        try
        {
            foreach (var batch in Enumerable.Range(0, count).Chunk(50))
            {
                subscribers.AddRange(await Task.WhenAll(batch.Select(async i =>
                {
                    var client = await ConnectAsync($"s{i}-{topic[7..]}", clean: true, m =>
                    {
                        var sequence = Reading.Sequence(Bytes(m));
                        if (sequence >= 0 && sequence < publications)
                        {
                            var now = Stopwatch.GetTimestamp();
                            long seen;
                            while (now > (seen = Volatile.Read(ref last[sequence])) && Interlocked.CompareExchange(ref last[sequence], now, seen) != seen)
                            {
                            }
                        }

                        if (Interlocked.Increment(ref delivered) == all)
                        {
                            everyone.TrySetResult();
                        }
                    }, cancellationToken).ConfigureAwait(false);
                    await SubscribeAsync(client, topic, cancellationToken).ConfigureAwait(false);
                    return client;
                })).ConfigureAwait(false));
            }

            using var publisher = await ConnectAsync("publisher-" + topic[7..], clean: true, null, cancellationToken).ConfigureAwait(false);
            using var bound = Within(Settings.Bound(TimeSpan.FromSeconds(20)), cancellationToken);
            var brokerCpu = BrokerCpu();
            var toolCpu = Environment.CpuUsage.TotalTime;
            var start = Stopwatch.GetTimestamp();
            try
            {
                for (var i = 0; i < publications; i++)
                {
                    published[i] = Stopwatch.GetTimestamp();
                    await PublishAsync(publisher, topic, Reading.Create(i), bound.Token).ConfigureAwait(false);
                }

                await everyone.Task.WaitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Results.Reference(FanOutScenario.Deliveries(count), Figure.DidNotComplete("deliveries/s", $"{delivered} of {all} in {Seconds(Stopwatch.GetElapsedTime(start))}"));
                return;
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var subscribersUs = (Environment.CpuUsage.TotalTime - toolCpu).TotalMicroseconds / all;
            var brokerUs = (BrokerCpu() - brokerCpu)?.TotalMicroseconds / all;
            var toLast = Enumerable.Range(0, publications).Select(i => Stopwatch.GetElapsedTime(published[i], last[i]).TotalMilliseconds).ToList();
            var deliveries = new Figure(all / elapsed.TotalSeconds, "deliveries/s");
            Results.Reference(FanOutScenario.Deliveries(count), deliveries);
            Results.Reference(FanOutScenario.P50(count), new Figure(Percentiles.Of(toLast, 0.50), "ms"));
            Results.Reference(FanOutScenario.P99(count), new Figure(Percentiles.Of(toLast, 0.99), "ms"));
            if (brokerUs is { } broker)
            {
                Results.Reference(FanOutScenario.ServiceCpu(count), new Figure(broker, "µs", "the broker process"));
            }

            Results.Reference(FanOutScenario.SubscriberCpu(count), new Figure(subscribersUs, "µs", "MQTTnet subscribers in this tool: no cryptography"));
            Results.Reference(FanOutScenario.Ceiling(count), deliveries with { Note = "its deliveries, as measured (its subscribers verify nothing)" });
        }
        finally
        {
            foreach (var client in subscribers)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>The broker's CPU time so far, or null when the tool was not given its pid or the broker is gone.</summary>
    private TimeSpan? BrokerCpu()
    {
        if (pid is not { } id)
        {
            return null;
        }

        try
        {
            using var broker = Process.GetProcessById(id);
            return broker.TotalProcessorTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>VmRSS of another process, in bytes, from /proc (Linux).</summary>
    private static long Resident(int id) =>
        1024 * long.Parse(
            File.ReadLines($"/proc/{id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(),
            System.Globalization.CultureInfo.InvariantCulture);

    private async Task<IMqttClient> ConnectAsync(string clientId, bool clean, Action<MqttApplicationMessage>? received, CancellationToken cancellationToken)
    {
        var client = factory.CreateMqttClient();
        if (received is not null)
        {
            client.ApplicationMessageReceivedAsync += e =>
            {
                received(e.ApplicationMessage);
                return Task.CompletedTask;
            };
        }

        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithCleanSession(clean)
            .WithTimeout(TimeSpan.FromSeconds(30))
            .Build();
        await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        return client;
    }

    private static Task<MqttClientSubscribeResult> SubscribeAsync(IMqttClient client, string topic, CancellationToken cancellationToken) =>
        client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, byte[] payload, CancellationToken cancellationToken) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);

    private static byte[] Bytes(MqttApplicationMessage message) => message.Payload.ToArray();
}
