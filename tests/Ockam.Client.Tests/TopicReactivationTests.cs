using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;

namespace Ockam.Client.Tests;

/// <summary>
/// A topic's Delivery Service keeps in memory only which gateway each subscriber's relay is connected through; a new
/// activation of it (after idle collection, or its silo's death) knows none, and sends through each relay's grain.
/// </summary>
public sealed class TopicReactivationTests : IAsyncLifetime
{
    private const string Topic = "ward-pulse";

    /// <summary>Relays' own pushes of group entries lost on the way: what still arrives went the gateway's way.</summary>
    private readonly GrainCallFault relaysLost = new(m => m.Name == nameof(IRelayGrain.NotifyAsync), () => Task.CompletedTask);
    private readonly RoutesTold told = new();
    private Fleet fleet = null!;

    public async Task InitializeAsync() => fleet = await Fleet.StartAsync(s => s
        .AddSingleton<IOutgoingGrainCallFilter>(relaysLost)
        .AddSingleton<IOutgoingGrainCallFilter>(told));

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    /// <summary>
    /// Every idle activation is collected, the topic's included. Its next publication goes through the subscriber's
    /// relay, and the gateway holding the subscriber's connection tells the new activation where it is; from then on,
    /// with the relays' own pushes lost, publications still arrive within seconds: they came down the gateway's path.
    /// Fails if a new activation never learns the gateways back (each publication would be lost until the subscriber's
    /// 30 s quiet check read it from the log).
    /// </summary>
    [Fact]
    public async Task A_topic_activated_again_learns_its_subscribers_gateway_from_its_first_relayed_entry()
    {
        var publisher = await fleet.MemberAsync("publisher", [("ockam.role", "publisher"), ("ockam.topic", Topic), ("ockam.relay", "publisher")]);
        var subscriber = await fleet.MemberAsync("subscriber", [("ockam.role", "subscriber"), ("ockam.relay", "subscriber")]);
        var publishing = await publisher.RoomsAsync();
        await publishing.CreateTopicAsync(Topic, "publisher", "(= subject.ockam.role \"subscriber\")", "(= subject.ockam.role \"publisher\")");
        var rooms = await subscriber.RoomsAsync();
        await rooms.SubscribeAsync(Topic, "subscriber");
        Assert.Equal(1, await publishing.AdmitPendingAsync(Topic));
        await Eventually.TrueAsync(() => Joined(rooms), TimeSpan.FromSeconds(60));
        await PublishAndReceiveAsync(publishing, rooms, "bpm n=1");

        // Collected (again, if a turn kept it busy at the first sweep) until the topic has no activation.
        var management = fleet.Silo.Grains.GetGrain<IManagementGrain>(0);
        var topic = fleet.Silo.Grains.GetDeliveryService(GroupId.Topic(Topic)).GetGrainId();
        await Eventually.TrueAsync(async () =>
        {
            await management.ForceActivationCollection(TimeSpan.Zero);
            return !(await management.GetDetailedGrainStatistics()).Any(s => s.GrainId == topic);
        }, TimeSpan.FromSeconds(30));

        // The new activation knows no gateway: its entry goes through the relay, which tells the gateway's registry.
        var before = told.Count;
        await PublishAndReceiveAsync(publishing, rooms, "bpm n=2");
        await Eventually.TrueAsync(() => told.Count > before, TimeSpan.FromSeconds(10));

        relaysLost.On = true;
        await PublishAndReceiveAsync(publishing, rooms, "bpm n=3");
    }

    private static async Task PublishAndReceiveAsync(RoomClient publishing, RoomClient rooms, string reading)
    {
        await publishing.SendAsync(GroupId.Topic(Topic), Encoding.UTF8.GetBytes(reading));
        using var soon = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(reading, Encoding.UTF8.GetString((await rooms.ReceiveAsync(soon.Token)).Payload.Span));
    }

    private static bool Joined(RoomClient rooms)
    {
        try
        {
            return rooms.Epoch(GroupId.Topic(Topic)) == 1;
        }
        catch (EdgeException)
        {
            return false;
        }
    }

    /// <summary>How many times the silo told a Delivery Service where a relay is connected.</summary>
    private sealed class RoutesTold : IOutgoingGrainCallFilter
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        public Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IDeliveryServiceGrain.RouteThroughAsync))
            {
                Interlocked.Increment(ref count);
            }

            return context.Invoke();
        }
    }
}
