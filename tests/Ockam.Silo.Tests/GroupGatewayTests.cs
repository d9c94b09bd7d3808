using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;
using Ockam.Silo.Gateway;

namespace Ockam.Silo.Tests;

/// <summary>
/// A gateway as Delivery Services reach it (<see cref="IGroupGateway"/>): a group's entry goes to the connection that
/// listens on a relay here, as the relay itself would push it, and through the relay's grain for a relay whose owner
/// listens at another gateway now (the Delivery Service's word on where a relay is connected is only a hint).
/// </summary>
public sealed class GroupGatewayTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly CancellationTokenSource stopping = new();
    private RunningSilo silo = null!;

    public async Task InitializeAsync() => silo = await RunningSilo.StartAsync(data.Path);

    public async Task DisposeAsync()
    {
        await stopping.CancelAsync();
        stopping.Dispose();
        await silo.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task An_entry_goes_to_the_connection_listening_here_and_through_the_relay_to_one_listening_at_another_gateway()
    {
        var phone = Identifier.FromHash(RandomNumberGenerator.GetBytes(32));
        var watch = Identifier.FromHash(RandomNumberGenerator.GetBytes(32));
        var phones = await ClaimedAsync(phone);
        var watchs = await ClaimedAsync(watch);

        // Two gateways of the cluster, each with one owner's connection (its channel's silo-side address).
        await using var here = new Node(new NodeOptions());
        await using var there = new Node(new NodeOptions());
        var gateway = new RelayRegistry(silo.Grains, here, TimeProvider.System, NullLogger<RelayRegistry>.Instance, stopping.Token);
        var elsewhere = new RelayRegistry(silo.Grains, there, TimeProvider.System, NullLogger<RelayRegistry>.Instance, stopping.Token);
        var phoneChannel = Inbox.Start(here, "phone-channel");
        var watchChannel = Inbox.Start(there, "watch-channel");
        Assert.Equal(RelayOutcome.Ok, await gateway.ListenAsync(phones, phone, Address.Local("phone-channel")));
        Assert.Equal(RelayOutcome.Ok, await elsewhere.ListenAsync(watchs, watch, Address.Local("watch-channel")));
        Assert.True(gateway.Listens(phones));
        Assert.False(gateway.Listens(watchs));

        // A Delivery Service that still thinks both relays are connected through the first gateway.
        byte[] envelope = [.. RandomNumberGenerator.GetBytes(200)];
        await gateway.DeliverAsync(envelope, [phones, watchs]);

        foreach (var (channel, relay) in new[] { (phoneChannel, phones), (watchChannel, watchs) })
        {
            var pushed = await channel.ReceiveAsync();
            Assert.Equal(Route.Of(Address.Local(RelayDelivery.InboxAddress)), pushed.OnwardRoute.Step());
            var delivery = RelayDelivery.Decode(pushed.Payload);
            Assert.Equal((relay, RelayDelivery.Unstored, true), (delivery.Relay, delivery.Sequence, delivery.FromService));
            Assert.Equal(envelope, delivery.Envelope);
        }

        // Nothing went twice: each connection had the entry once.
        Assert.True(await phoneChannel.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));
        Assert.False(watchChannel.TryTake(out _));
    }

    private async Task<string> ClaimedAsync(Identifier owner)
    {
        var name = Guid.NewGuid().ToString("N");
        Assert.Equal(RelayOutcome.Ok, await silo.Grains.GetGrain<IRelayGrain>(name).ClaimAsync(owner.ToString(), durable: true));
        return name;
    }
}
