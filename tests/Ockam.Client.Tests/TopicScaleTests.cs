using System.Text;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Messaging.Api;
using Xunit.Abstractions;

namespace Ockam.Client.Tests;

/// <summary>
/// A topic of 1 000 subscribers over a real silo process: admitted in commits that each fit a request, each joining from its
/// Welcome with the tree and identities fetched in pages; one publisher reaches them all; a removed subscriber reads
/// nothing after. Long (tens of minutes on 2 cores: a thousand enrolments and joins): <c>./test.sh --long</c>.
/// </summary>
[Trait("Category", "Long")]
public sealed class TopicScaleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "ward-telemetry";
    private const int Subscribers = 1000;
    private static readonly GroupId Group = GroupId.Topic(Topic);
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();
    private readonly List<EdgeNode> nodes = [];
    private SiloProcess silo = null!;
    private EdgeNode admin = null!;

    public async Task InitializeAsync()
    {
        silo = await SiloProcess.StartAsync(data.Path, TimeSpan.FromMinutes(3));
        admin = await EdgeNode.OpenAsync(Options(Path.Combine(homes.Path, "admin")));
        nodes.Add(admin);
        await admin.EnrollAsync(silo.AdminTicket.Token);
    }

    public async Task DisposeAsync()
    {
        foreach (var batch in nodes.Chunk(50))
        {
            await Task.WhenAll(batch.Select(n => n.DisposeAsync().AsTask()));
        }

        await silo.DisposeAsync();
        data.Dispose();
        homes.Dispose();
    }

    [Fact]
    public async Task A_thousand_subscribers_get_every_publication_and_a_removed_one_reads_nothing_after()
    {
        var publisher = await NodeAsync("publisher", ("ockam.role", "publisher"), ("ockam.topic", Topic));
        var publishing = await publisher.RoomsAsync();
        await publishing.CreateTopicAsync(Topic, "publisher", "(= subject.ockam.role \"subscriber\")", "(= subject.ockam.role \"publisher\")");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var subscribers = new List<(EdgeNode Node, RoomClient Rooms)>();
        foreach (var batch in Enumerable.Range(0, Subscribers).Chunk(25))
        {
            subscribers.AddRange(await Task.WhenAll(batch.Select(async i =>
            {
                var node = await NodeAsync($"s{i}", ("ockam.role", "subscriber"));
                var rooms = await node.RoomsAsync();
                await rooms.SubscribeAsync(Topic, $"s{i}");
                return (node, rooms);
            })));
        }

        Report(clock, $"{Subscribers} nodes enrolled, listening on their relays and waiting to join");

        // Admitted in commits of at most 100 adds each: every commit and Welcome fits one request.
        Assert.Equal(Subscribers, await publishing.AdmitPendingAsync(Topic));
        var admitted = publishing.Epoch(Group);
        Assert.Equal((ulong)((Subscribers + RoomClient.MaxAddsPerCommit - 1) / RoomClient.MaxAddsPerCommit), admitted);
        Assert.Equal(Subscribers + 1, publishing.Members(Group).Count);
        Report(clock, $"admitted in {admitted} commits");
        await Eventually.TrueAsync(() => subscribers.All(s => Epoch(s.Rooms) == admitted), TimeSpan.FromMinutes(30));
        Report(clock, "every subscriber joined from its Welcome and is at the last epoch");

        for (var i = 1; i <= 3; i++)
        {
            await publishing.SendAsync(Group, Encoding.UTF8.GetBytes($"reading {i}"));
        }

        await Task.WhenAll(subscribers.Select(async s =>
        {
            for (var i = 1; i <= 3; i++)
            {
                var message = await ReceiveAsync(s.Rooms, TimeSpan.FromMinutes(5));
                Assert.Equal((publisher.Identifier, $"reading {i}"), (message.Sender, Encoding.UTF8.GetString(message.Payload.Span)));
            }
        }));

        Report(clock, "three publications reached every subscriber");

        // One subscriber is removed: it leaves the topic, and what is published next reaches the 999 others only.
        var (removedNode, removed) = subscribers[^1];
        var staying = subscribers.Take(Subscribers - 1).Select(s => s.Rooms).ToList();
        await publishing.RemoveAsync(Group, removedNode.Identifier);
        await Eventually.TrueAsync(() => Epoch(removed) == 0 && staying.All(s => Epoch(s) == admitted + 1), TimeSpan.FromMinutes(5));
        await publishing.SendAsync(Group, "after the removal"u8.ToArray());
        await Task.WhenAll(staying.Select(async s =>
            Assert.Equal("after the removal", Encoding.UTF8.GetString((await ReceiveAsync(s, TimeSpan.FromMinutes(5))).Payload.Span))));
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await removed.ReceiveAsync(quiet.Token));
        Assert.DoesNotContain(removedNode.Identifier, publishing.Members(Group));
        Assert.All(staying, s => Assert.DoesNotContain(removedNode.Identifier, s.Members(Group)));
        Report(clock, $"one removed; the next publication reached the other {Subscribers - 1} and not it");
    }

    private void Report(System.Diagnostics.Stopwatch clock, string what)
    {
        output.WriteLine($"{clock.Elapsed.TotalSeconds,7:F1} s  {what}");
        clock.Restart();
    }

    private async Task<EdgeNode> NodeAsync(string name, params (string Name, string Value)[] attributes)
    {
        // A thousand nodes and the silo share this machine's cores, and a joiner verifies every leaf of the tree: the
        // machine, not the protocol, is slow here, so calls and handshakes get the patience a loaded silo needs.
        var token = await admin.CreateTokenAsync(new Dictionary<string, string>([.. attributes.Select(a => KeyValuePair.Create(a.Name, a.Value)), KeyValuePair.Create("ockam.relay", name)]), TimeSpan.FromHours(1));
        var node = await EdgeNode.OpenAsync(Options(Path.Combine(homes.Path, name)));
        lock (nodes)
        {
            nodes.Add(node);
        }

        await node.EnrollAsync(token);

        await node.CreateRelayAsync(name);
        await node.ListenAsync(name);
        return node;
    }

    /// <summary>
    /// A thousand nodes share this machine's two cores with the silo, and a joiner verifies every leaf of the tree: the
    /// machine, not the protocol, is slow here, so calls and handshakes get the patience a loaded silo needs.
    /// </summary>
    private EdgeNodeOptions Options(string home) => new()
    {
        Home = home,
        Silo = silo.AdminTicket.Silo,
        SiloIdentifier = silo.AdminTicket.SiloIdentifier,
        CallTimeout = TimeSpan.FromMinutes(2),
        HandshakeTimeout = TimeSpan.FromMinutes(1),
    };

    private static ulong Epoch(RoomClient rooms)
    {
        try
        {
            return rooms.Epoch(Group);
        }
        catch (EdgeException)
        {
            return 0;
        }
    }

    private static async Task<RoomMessage> ReceiveAsync(RoomClient rooms, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        return await rooms.ReceiveAsync(timeout.Token);
    }
}
