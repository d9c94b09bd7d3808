using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;
using Xunit.Abstractions;

namespace Ockam.Client.Tests;

/// <summary>
/// Two silos on PostgreSQL, as the README starts them (probing each other every 2 s); a publisher and three subscribers
/// are each given both silos' addresses, in either order, and the subscribers listen on relays of their own. The
/// publisher publishes a reading every 100 ms; one silo's process is killed (SIGKILL): either the one the topic's grain
/// lives on (it activates again on the other, its fan-out of what it had logged lost with the process) or the other.
/// Every publication whose publish call returned (durable in the topic's log) reaches every subscriber exactly once, in
/// order; one whose call failed may arrive or not, but never twice; and each subscriber gets publications again within
/// 15 s of the kill.
/// </summary>
public sealed class TopicFailoverTests(ITestOutputHelper output) : IDisposable
{
    private const string Topic = "heart-rate";
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan Goal = TimeSpan.FromSeconds(15);
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_acknowledged_publication_reaches_every_subscriber_once_in_order_within_15_s_of_a_silo_kill(bool killTheTopicsSilo)
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await FailoverCluster.StartAsync(database.ConnectionString, data.Path, Within);
        try
        {
            using var timeout = new CancellationTokenSource(Within);
            await RunAsync(cluster, killTheTopicsSilo, timeout.Token);
        }
        catch (Exception) when (cluster.ShowRecentOutput(output))
        {
            throw;
        }
    }

    private async Task RunAsync(FailoverCluster cluster, bool killTheTopicsSilo, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var (siloA, siloB) = (cluster.A, cluster.B);
        var (a, b) = (cluster.EdgeA, cluster.EdgeB);
        var group = GroupId.Topic(Topic);

        // Enrolled with the operator's client, which goes before the kill (it may be its gateway's silo that dies).
        var nodes = new List<EdgeNode>();
        await using var _ = new AsyncDisposables(nodes);
        EdgeNode publisher;
        RoomClient publishing;
        List<(string Name, RoomClient Rooms)> subscribers = [];
        int killedPort;
        using (var operator_ = await SiloOperator.ConnectAsync(cluster.GatewayB, cancellation))
        {
            var grains = operator_.Services.GetRequiredService<IGrainFactory>();
            async Task<EdgeNode> NodeAsync(string name, string silos, params (string, string)[] attributes)
            {
                // Each says how its connection fares, in the test's output beside the readings.
                var node = await SiloOperator.EnrolledNodeAsync(grains, siloB, new EdgeNodeOptions
                {
                    Home = Path.Combine(homes.Path, name),
                    Silo = silos,
                    SiloIdentifier = siloB.AdminTicket.SiloIdentifier,
                    LoggerFactory = new OutputLoggers(name, output, clock),
                }, attributes);
                nodes.Add(node);
                return node;
            }

            publisher = await NodeAsync("publisher", $"{a},{b}", ("ockam.role", "publisher"), ("ockam.topic", Topic));
            publishing = await publisher.RoomsAsync(cancellation);
            await publishing.CreateTopicAsync(Topic, null, "(= subject.ockam.role \"subscriber\")", "(= subject.ockam.role \"publisher\")", cancellation);

            // Each listens on a relay of its own; their nodes are spread over both silos, and their relays wherever Orleans puts them.
            foreach (var (name, silos) in new[] { ("subscriber-0", $"{a},{b}"), ("subscriber-1", $"{b},{a}"), ("subscriber-2", $"{a},{b}") })
            {
                var node = await NodeAsync(name, silos, ("ockam.role", "subscriber"), ("ockam.relay", name));
                await node.CreateRelayAsync(name, cancellation);
                await node.ListenAsync(name, cancellation);
                var rooms = await node.RoomsAsync(cancellation);
                await rooms.SubscribeAsync(Topic, name, cancellation);
                subscribers.Add((name, rooms));
            }

            Assert.Equal(subscribers.Count, await publishing.AdmitPendingAsync(Topic, cancellation));
            await Eventually.TrueAsync(() => subscribers.All(s => Joined(s.Rooms)), cancellationToken: cancellation);

            var topicsSilo = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetDeliveryService(group), cancellation)
                ?? throw new InvalidOperationException("the topic's grain is not active anywhere");
            var topicOnA = topicsSilo.Endpoint.Port == siloA.SiloPort;
            killedPort = killTheTopicsSilo == topicOnA ? siloA.SiloPort : siloB.SiloPort;
            output.WriteLine($"the topic's grain lives on silo {(topicOnA ? "A" : "B")}; silo {(killedPort == siloA.SiloPort ? "A" : "B")} will be killed");
            await operator_.StopAsync(cancellation);
        }

        var attempted = 0;
        var acknowledged = new List<int>();
        var failed = new List<int>();
        using var stopPublishing = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var publishingLoop = Task.Run(async () =>
        {
            while (!stopPublishing.IsCancellationRequested)
            {
                // A number is published once: a call that failed is not tried again with the same number, so a reading
                // that arrives twice is the service's duplicate, never the test's.
                var number = Interlocked.Increment(ref attempted);
                try
                {
                    await publishing.SendAsync(group, Encoding.UTF8.GetBytes($"n={number}"), stopPublishing.Token);
                    lock (acknowledged)
                    {
                        acknowledged.Add(number);
                    }
                }
                catch (Exception e)
                {
                    // Failed, or cancelled in flight when publishing stops: either way it may or may not have been
                    // carried out, so it may arrive, but never twice.
                    lock (acknowledged)
                    {
                        failed.Add(number);
                    }

                    if (e is OperationCanceledException && stopPublishing.IsCancellationRequested)
                    {
                        return;
                    }
                }

                try
                {
                    // Real time: the publisher's pace, one reading every 100 ms.
                    await Task.Delay(100, stopPublishing.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }, CancellationToken.None);

        string Status()
        {
            lock (acknowledged)
            {
                return $"{attempted} published, {acknowledged.Count} acknowledged, failed: {string.Join(",", failed)}";
            }
        }

        var readings = subscribers.Select(s => new NumberedReadings(s.Name, async token =>
        {
            var message = await s.Rooms.ReceiveAsync(token);
            await s.Rooms.AcknowledgeAsync(message, token);
            return message.Payload;
        }, clock, output)).ToList();
        Task ReadAllUntilAsync(Func<NumberedReadings, bool> done) => Task.WhenAll(readings.Select(r => r.ReadUntilAsync(() => done(r), Status, cancellation)));

        await ReadAllUntilAsync(r => r.All.Count >= 10);
        var killed = killedPort == siloA.SiloPort ? siloA : siloB;
        await killed.KillAsync();
        var killedAt = clock.Elapsed;
        var atKill = Volatile.Read(ref attempted);
        output.WriteLine(FormattableString.Invariant($"{killedAt.TotalSeconds:F1} s: killed, {atKill} published before"));

        // Delivery has resumed for a subscriber once a publication made after the kill reaches it; then ten more, to see it stays up.
        await ReadAllUntilAsync(r => r.CountAfter(atKill) >= 11);
        await stopPublishing.CancelAsync();
        await publishingLoop;

        // Every acknowledged publication is owed to every subscriber, the last ones included.
        var last = acknowledged.Max();
        await ReadAllUntilAsync(r => r.Numbers().LastOrDefault() >= last);
        output.WriteLine($"{attempted} published, {acknowledged.Count} acknowledged, failed: [{string.Join(",", failed)}]");
        foreach (var reading in readings)
        {
            var resumed = reading.FirstAfter(atKill) - killedAt;
            var numbers = reading.Numbers();
            output.WriteLine(FormattableString.Invariant(
                $"{reading.Receiver}: kill to resumed delivery {resumed.TotalSeconds:F1} s; {numbers.Count} readings, of the failed ones {failed.Intersect(numbers).Count()} arrived"));
        }

        foreach (var reading in readings)
        {
            reading.AssertInOrderOnce();
            reading.AssertArrived(acknowledged);
            var resumed = reading.FirstAfter(atKill) - killedAt;
            Assert.True(resumed < Goal, $"{reading.Receiver}: delivery resumed {resumed.TotalSeconds:F1} s after the kill, beyond {Goal.TotalSeconds} s");
        }
    }

    public void Dispose()
    {
        data.Dispose();
        homes.Dispose();
    }

    private static bool Joined(RoomClient rooms)
    {
        try
        {
            return rooms.Epoch(GroupId.Topic(Topic)) >= 1;
        }
        catch (EdgeException)
        {
            return false;
        }
    }

    /// <summary>The test's nodes, disposed together at its end.</summary>
    private sealed class AsyncDisposables(List<EdgeNode> nodes) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
    }
}
