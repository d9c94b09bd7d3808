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
    private RunningSilo silo = null!;

    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(data.Path, services: s => s.AddSingleton<IOutgoingGrainCallFilter>(relaysLost));

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
}
