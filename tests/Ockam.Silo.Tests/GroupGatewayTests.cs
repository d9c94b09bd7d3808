using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;
using Ockam.Silo.Gateway;

namespace Ockam.Silo.Tests;

/// <summary>
/// A gateway as Delivery Services reach it (<see cref="IGroupGateway"/>): a group's entry goes straight down the
/// connection through which a relay was connected here, and through the relay's grain for a relay whose owner listens
/// at another gateway now (the Delivery Service's word on where a relay is connected is a hint).
/// </summary>
public sealed class GroupGatewayTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly CancellationTokenSource stopping = new();

    /// <summary>Relays' own pushes of group entries lost on the way: what still arrives went the gateway's way.</summary>
    private readonly GrainCallFault relaysLost = new(m => m.Name == nameof(IRelayGrain.NotifyAsync), () => Task.CompletedTask);
    private readonly RoutesTold told = new();
    private RunningSilo silo = null!;

    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(data.Path, services: s => s.AddSingleton<IOutgoingGrainCallFilter>(relaysLost).AddSingleton<IOutgoingGrainCallFilter>(told));

    public async Task DisposeAsync()
    {
        await stopping.CancelAsync();
        stopping.Dispose();
        await silo.DisposeAsync();
        data.Dispose();
    }

    /// <summary>
    /// Two gateways of the cluster, each holding one owner's connection; a Delivery Service that thinks both relays are
    /// connected through the first. With the relays' own pushes lost, only the phone's entry arrives: it went down its
    /// connection at the first gateway without its relay. The watch's arrives once relays' pushes go through again: the
    /// first gateway passed it to the relay, which pushed it to the second. Fails if either path is missing.
    /// </summary>
    [Fact]
    public async Task An_entry_goes_down_the_connection_held_here_and_through_the_relay_to_one_held_at_another_gateway()
    {
        var (phone, phones) = await ClaimedAsync();
        var (watch, watchs) = await ClaimedAsync();
        await using var here = new Node(new NodeOptions());
        await using var there = new Node(new NodeOptions());
        var gateway = Gateway(here);
        var elsewhere = Gateway(there);
        var phoneChannel = Inbox.Start(here, "phone-channel");
        var watchChannel = Inbox.Start(there, "watch-channel");
        Assert.Equal(RelayOutcome.Ok, await gateway.ListenAsync(phones, phone, Address.Local("phone-channel")));
        Assert.Equal(RelayOutcome.Ok, await elsewhere.ListenAsync(watchs, watch, Address.Local("watch-channel")));
        Assert.True(gateway.Listens(phones));
        Assert.False(gateway.Listens(watchs));

        relaysLost.On = true;
        var first = RandomNumberGenerator.GetBytes(200);
        await gateway.DeliverAsync(first, [phones, watchs]);
        AssertPushed(await phoneChannel.ReceiveAsync(), phones, first);
        Assert.True(await watchChannel.StaysEmptyAsync(TimeSpan.FromMilliseconds(500)));

        relaysLost.On = false;
        var second = RandomNumberGenerator.GetBytes(200);
        await gateway.DeliverAsync(second, [phones, watchs]);
        AssertPushed(await phoneChannel.ReceiveAsync(), phones, second);
        AssertPushed(await watchChannel.ReceiveAsync(), watchs, second);
        Assert.False(phoneChannel.TryTake(out _));
    }

    /// <summary>
    /// The phone's connection is gone before the gateway heard of it (its close still on the way). The push finds it
    /// gone, the gateway lets the relay go, and the entry is passed to the relay's grain. Fails if a gone connection
    /// kept the relay here: every later entry would be pushed into nothing instead of to where its owner listens.
    /// </summary>
    [Fact]
    public async Task A_connection_found_gone_is_let_go_and_its_entry_passed_to_the_relay()
    {
        var (phone, phones) = await ClaimedAsync();
        await using var here = new Node(new NodeOptions());
        var gateway = Gateway(here);
        Inbox.Start(here, "phone-channel");
        Assert.Equal(RelayOutcome.Ok, await gateway.ListenAsync(phones, phone, Address.Local("phone-channel")));
        await here.StopWorkerAsync(Address.Local("phone-channel"));

        await gateway.DeliverAsync(RandomNumberGenerator.GetBytes(200), [phones]);
        await Eventually.TrueAsync(() => !gateway.Listens(phones), TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// A Delivery Service that does not know where a relay is connected (a new activation, say) sends its entries
    /// through the relay's grain, which pushes them here. The gateway tells that service, once per group and interval,
    /// so that its next entries come in one call per gateway; entries it pushed itself tell no one. Fails if the
    /// telling is removed (no hint ever comes back until the member names its route again), or if every relayed entry
    /// tells (a service that keeps dropping a slow gateway would get it back, with duplicates, on each entry).
    /// </summary>
    [Fact]
    public async Task An_entry_that_came_through_the_relay_tells_its_delivery_service_where_the_relay_is_connected_once()
    {
        var (phone, phones) = await ClaimedAsync();
        await using var here = new Node(new NodeOptions());
        var gateway = Gateway(here);
        var phoneChannel = Inbox.Start(here, "phone-channel");
        Assert.Equal(RelayOutcome.Ok, await gateway.ListenAsync(phones, phone, Address.Local("phone-channel")));
        var topic = GroupId.Topic(Guid.NewGuid().ToString("N"));
        var room = GroupId.Room(Guid.NewGuid().ToString("N"));

        var first = Entry(topic, 1);
        await silo.Grains.GetGrain<IRelayGrain>(phones).NotifyAsync(first);
        AssertPushed(await phoneChannel.ReceiveAsync(), phones, first);
        await Eventually.TrueAsync(() => told.Calls.Count == 1, TimeSpan.FromSeconds(10));
        var (group, relay, through) = told.Calls.Single();
        Assert.Equal((topic.Value, phones), (group, relay));
        Assert.Equal(gateway.Groups, through);

        // Within the interval, the same group's entries through the relay tell no more; the gateway's own pushes never do.
        var second = Entry(topic, 2);
        await silo.Grains.GetGrain<IRelayGrain>(phones).NotifyAsync(second);
        AssertPushed(await phoneChannel.ReceiveAsync(), phones, second);
        var direct = Entry(room, 1);
        await gateway.DeliverAsync(direct, [phones]);
        AssertPushed(await phoneChannel.ReceiveAsync(), phones, direct);
        await Task.Delay(500);
        Assert.Single(told.Calls);

        // Another group's entry through the relay tells that group's service.
        var other = Entry(room, 2);
        await silo.Grains.GetGrain<IRelayGrain>(phones).NotifyAsync(other);
        AssertPushed(await phoneChannel.ReceiveAsync(), phones, other);
        await Eventually.TrueAsync(() => told.Calls.Count == 2, TimeSpan.FromSeconds(10));
        Assert.Equal((room.Value, phones), (told.Calls.Last().Group, told.Calls.Last().Relay));
    }

    /// <summary>
    /// A peer pushes, through the relay's live path, a message shaped as a group's entry (sequence 0, like the
    /// service's). It reaches the owner marked as the peer's, and the gateway tells no Delivery Service anything: what
    /// peers send cannot steer a group's deliveries. Fails if the gateway went by the sequence alone.
    /// </summary>
    [Fact]
    public async Task A_peers_message_shaped_as_a_group_entry_tells_no_delivery_service()
    {
        var (phone, phones) = await ClaimedAsync();
        await using var here = new Node(new NodeOptions());
        var gateway = Gateway(here);
        var phoneChannel = Inbox.Start(here, "phone-channel");
        Assert.Equal(RelayOutcome.Ok, await gateway.ListenAsync(phones, phone, Address.Local("phone-channel")));

        var forged = Entry(GroupId.Topic(Guid.NewGuid().ToString("N")), 1);
        Assert.Equal(new[] { RelayOutcome.Ok }, await silo.Grains.GetGrain<IRelayGrain>(phones).SendLiveAsync([new RelayedEnvelope(forged, 0, "mallory")]));
        var pushed = RelayDelivery.Decode((await phoneChannel.ReceiveAsync()).Payload);
        Assert.Equal((RelayDelivery.Unstored, false, "mallory"), (pushed.Sequence, pushed.FromService, pushed.Sender));
        Assert.Equal(forged, pushed.Envelope);
        await Task.Delay(500);
        Assert.Empty(told.Calls);
    }

    private static byte[] Entry(GroupId group, ulong index) =>
        MessageCodec.Encode(new Message(Route.Of(Address.Local(GroupDelivery.InboxAddress)), Route.Empty, new GroupDelivery(group, GroupDeliveryKind.Message, index, RandomNumberGenerator.GetBytes(200)).Encode()));

    private static void AssertPushed(Message pushed, string relay, byte[] envelope)
    {
        Assert.Equal(Route.Of(Address.Local(RelayDelivery.InboxAddress)), pushed.OnwardRoute.Step());
        var delivery = RelayDelivery.Decode(pushed.Payload);
        Assert.Equal((relay, RelayDelivery.Unstored, true), (delivery.Relay, delivery.Sequence, delivery.FromService));
        Assert.Equal(envelope, delivery.Envelope);
    }

    private RelayRegistry Gateway(Node node) => new(silo.Grains, node, TimeProvider.System, NullLogger<RelayRegistry>.Instance, stopping.Token);

    private async Task<(Identifier Owner, string Relay)> ClaimedAsync()
    {
        var owner = Identifier.FromHash(RandomNumberGenerator.GetBytes(32));
        var name = Guid.NewGuid().ToString("N");
        Assert.Equal(RelayOutcome.Ok, await silo.Grains.GetGrain<IRelayGrain>(name).ClaimAsync(owner.ToString(), durable: true));
        return (owner, name);
    }

    /// <summary>The silo's calls telling Delivery Services where a relay is connected: group, relay and gateway, in order.</summary>
    private sealed class RoutesTold : IOutgoingGrainCallFilter
    {
        public ConcurrentQueue<(string Group, string Relay, IGroupGateway Gateway)> Calls { get; } = new();

        public Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IDeliveryServiceGrain.RouteThroughAsync))
            {
                Calls.Enqueue((context.TargetId.Key.ToString()!, (string)context.Request.GetArgument(0)!, (IGroupGateway)context.Request.GetArgument(1)!));
            }

            return context.Invoke();
        }
    }
}
