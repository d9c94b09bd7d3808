using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;
using Ockam.Messaging.Transports;
using Ockam.Silo.Gateway;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests;

/// <summary>
/// The gateway's queues form no cycle (docs/gateway.md): a peer's requests far beyond the api's bound are all
/// answered through the channel they came in, a peer that does not read its answers holds only its channel's share of
/// the api, and a relay whose owner does not read holds up no other pair. Every
/// mailbox and bound is made tiny here, so that what took thousands of messages to close takes a few.
/// </summary>
public sealed class GatewayQueueTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly StallingStreams streams = new();
    private readonly List<Edge> edges = [];
    private RunningSilo silo = null!;

    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(data.Path, services: s => s.Configure<EdgeGatewayOptions>(o =>
        {
            o.MailboxCapacity = 4;
            o.MaxConcurrentRequests = 3;
            o.MaxConcurrentRequestsPerChannel = 2;
            o.RelayQueueMessages = 4;
            o.RequestsPerSecond = 100_000;
            o.RequestBurst = 100_000;
            o.Transport = new TransportOptions { WrapStream = streams.Wrap };
        }));

    public async Task DisposeAsync()
    {
        foreach (var edge in edges)
        {
            await edge.DisposeAsync();
        }

        await silo.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task A_peer_with_far_more_requests_in_flight_than_the_api_takes_gets_every_answer_through_its_channel()
    {
        // As a phone draining its relay sent one acknowledgement per message: 5 000 queued deadlocked the gateway.
        const int requests = 1_000;
        var phone = await EdgeAsync();
        var (_, api) = await phone.OpenAsync("secure", TimeSpan.FromSeconds(60));

        var answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => api.CallAsync(new GetAuthorityRequest())));

        Assert.All(answers, a => Assert.Equal(ApiStatus.Ok, a.Status));
    }

    [Fact]
    public async Task A_peer_that_does_not_read_its_answers_holds_only_its_channels_share_of_the_api()
    {
        // The first connection the gateway accepts is the non-reader's.
        var nonReader = await EdgeAsync();
        var (_, stalledApi) = await nonReader.OpenAsync("secure", TimeSpan.FromSeconds(60));
        streams.Stall(0);

        // Its answers back up into its channel's send side, then into the requests that would send them.
        var unanswered = Enumerable.Range(0, 40).Select(_ => stalledApi.CallAsync(new GetAuthorityRequest())).ToList();
        await streams.WriteHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var bystander = await EdgeAsync();
        var (_, api) = await bystander.OpenAsync("secure", TimeSpan.FromSeconds(20));
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => api.CallAsync(new GetAuthorityRequest())));

        Assert.All(answers, a => Assert.Equal(ApiStatus.Ok, a.Status));
        Assert.DoesNotContain(unanswered, t => t.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_relay_whose_owner_does_not_read_holds_up_its_own_senders_and_no_other_pair()
    {
        // The first connection the gateway accepts is the stuck owner's.
        var stuckOwner = await EdgeAsync();
        var stuckCredential = await EnrolAsync(stuckOwner);
        var (stuckChannel, stuckApi) = await stuckOwner.OpenAsync("member", stuckCredential);
        Assert.Equal(ApiStatus.Ok, (await stuckApi.CallAsync(new CreateRelayRequest("stuck"))).Status);
        stuckOwner.Node.StartWorker(Address.Local(RelayDelivery.InboxAddress), new NeverReads());
        stuckOwner.Node.AcceptFlow(Address.Local(RelayDelivery.InboxAddress), stuckChannel.Flow);
        Assert.Equal(ApiStatus.Ok, (await stuckApi.CallAsync(new ListenRelayRequest("stuck"))).Status);

        var phone = await EdgeAsync();
        var (phoneChannel, phoneApi) = await phone.OpenAsync("member", await EnrolAsync(phone));
        Assert.Equal(ApiStatus.Ok, (await phoneApi.CallAsync(new CreateRelayRequest("phone"))).Status);
        var inbox = Channel.CreateUnbounded<RelayDelivery>();
        phone.Node.StartWorker(Address.Local(RelayDelivery.InboxAddress), new Collects(inbox.Writer));
        phone.Node.AcceptFlow(Address.Local(RelayDelivery.InboxAddress), phoneChannel.Flow);
        Assert.Equal(ApiStatus.Ok, (await phoneApi.CallAsync(new ListenRelayRequest("phone"))).Status);

        var flooder = await EdgeAsync();
        var (floodChannel, _) = await flooder.OpenAsync("member", await EnrolAsync(flooder));
        var monitor = await EdgeAsync();
        var (monitorChannel, _) = await monitor.OpenAsync("member", await EnrolAsync(monitor));

        // The stuck owner stops reading: what the gateway pushes to it backs up into the relay's grain, then into the
        // relay's queue at the gateway, then into the flooder's channel.
        streams.Stall(0);
        for (var i = 0; i < 40; i++)
        {
            await flooder.Node.SendAsync(Relayed(floodChannel.Address, "stuck", $"flood {i}"));
        }

        await streams.WriteHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Meanwhile another pair's messages go through, in order.
        const int readings = 20;
        for (var i = 0; i < readings; i++)
        {
            await monitor.Node.SendAsync(Relayed(monitorChannel.Address, "phone", $"reading {i}"));
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (var i = 0; i < readings; i++)
        {
            var delivery = await inbox.Reader.ReadAsync(wait.Token);
            Assert.Equal("phone", delivery.Relay);
            Assert.Equal($"reading {i}", Encoding.UTF8.GetString(delivery.Open().Payload.Span));
        }
    }

    private static Message Relayed(Address channel, string relay, string text) =>
        new(Route.Of(channel, Address.Local(RelayDelivery.RelayAddress), Address.Local(relay), Address.Local("app")), Route.Of(Address.Local("app")), Encoding.UTF8.GetBytes(text));

    private async Task<Edge> EdgeAsync()
    {
        var edge = await Edge.CreateAsync(silo);
        edges.Add(edge);
        return edge;
    }

    private static Task<CredentialPresentation> EnrolAsync(Edge edge) =>
        edge.EnrolAsync(Actors.Attributes(("ockam.role", "sensor"), ("ockam.relay", "*")));

    private sealed class Collects(ChannelWriter<RelayDelivery> into) : IWorker
    {
        public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) =>
            into.WriteAsync(RelayDelivery.Decode(message.Payload), cancellationToken);
    }
}
