using System.Net;
using System.Net.Sockets;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Tests.Routing;

/// <summary>
/// Flow control: what a producer received from a remote party reaches only the workers that accept its flow,
/// and never makes a node dial. Each test here fails if that check is removed.
/// </summary>
public sealed class FlowControlTests : IAsyncLifetime
{
    private readonly Fleet fleet = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    [Fact]
    public async Task A_flow_reaches_only_what_accepts_it_or_its_spawner_and_a_restarted_worker_starts_with_no_grant()
    {
        await using var node = new Node();
        var listenerFlow = FlowId.Create();
        var spawned = FlowId.SpawnedFrom(listenerFlow);
        var other = FlowId.Create();
        var open = Inbox.Start(node, "open", listenerFlow);
        var closed = Inbox.Start(node, "closed");

        await node.SendAsync(Message.To(Route.Of(Address.Local("open")), Route.Empty, "spawned"u8.ToArray()), spawned);
        Assert.Equal(spawned, (await open.ReceiveAsync()).Flow);
        foreach (var (to, flow) in new[] { ("open", other), ("closed", spawned), ("closed", listenerFlow) })
        {
            var denied = await Assert.ThrowsAsync<RoutingException>(() => node.SendAsync(Message.To(Route.Of(Address.Local(to)), Route.Empty, "x"u8.ToArray()), flow).AsTask());
            Assert.Equal(RoutingError.FlowDenied, denied.Error);
        }

        // Local code reaches anything, and what it sends carries no flow even if it copies a received message.
        await node.SendAsync(Message.To(Route.Of(Address.Local("open")), Route.Empty, "y"u8.ToArray()), spawned);
        var received = await open.ReceiveAsync();
        await node.SendAsync(received with { OnwardRoute = Route.Of(Address.Local("closed")) });
        Assert.Null((await closed.ReceiveAsync()).Flow);

        // A grant belongs to the worker, not to its address.
        await node.StopWorkerAsync(Address.Local("open"));
        Inbox.Start(node, "open");
        Assert.Equal(RoutingError.FlowDenied, (await Assert.ThrowsAsync<RoutingException>(() => node.SendAsync(Message.To(Route.Of(Address.Local("open")), Route.Empty, "z"u8.ToArray()), spawned).AsTask())).Error);
    }

    [Fact]
    public async Task A_remote_flow_never_makes_a_node_dial()
    {
        await using var node = new Node();
        await using var tcp = new Ockam.Messaging.Transports.TcpTransport(node);
        var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        try
        {
            var remote = Address.Tcp($"127.0.0.1:{((IPEndPoint)target.LocalEndpoint).Port}");
            var refused = await Assert.ThrowsAsync<RoutingException>(() => node.SendAsync(Message.To(Route.Of(remote, Address.Local("x")), Route.Empty, "x"u8.ToArray()), FlowId.Create()).AsTask());
            Assert.Equal(RoutingError.NoTransport, refused.Error);
            // A window in which a dial, had one started, would have reached the listener: nothing must.
            await Task.Delay(200);
            Assert.False(target.Pending());
            Assert.Equal(0, node.WorkerCount); // no connection worker was made either
        }
        finally
        {
            target.Stop();
        }
    }

    [Fact]
    public async Task A_peer_of_a_listener_cannot_reach_another_peers_channel_encryptor()
    {
        // The service S accepts channels from Alice and Mallory. Mallory learns the address of S's end of
        // Alice's channel and sends into it: were it reachable, S would encrypt her message to Alice, and
        // Alice's node would take it for something S said.
        var alice = await fleet.MemberAsync();
        var mallory = await fleet.MemberAsync();
        var service = await fleet.MemberAsync();
        var s = fleet.Node("s");
        var a = fleet.Node("a");
        var m = fleet.Node("m");
        var listener = fleet.Listen(s, "listener", fleet.Options(service, TrustPolicy.AnyIdentity));
        // The initiator's handshake ends when it sends message 3; S accepts only once that message is read, so
        // S's end of Alice's channel is awaited rather than looked up.
        var aliceAccepted = new TaskCompletionSource<SecureChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.ChannelAccepted += (_, e) =>
        {
            if (e.Channel.Peer.Identifier == alice.Identifier)
            {
                aliceAccepted.TrySetResult(e.Channel);
            }
        };
        var toService = Route.Of(Address.Memory("s"), Address.Local("listener"));
        var aliceChannel = await SecureChannel.CreateAsync(a, toService, fleet.Options(alice, TrustPolicy.Identifiers(service.Identifier)));
        var aliceInbox = Inbox.Start(a, "inbox", aliceChannel.Flow);
        var malloryChannel = await SecureChannel.CreateAsync(m, toService, fleet.Options(mallory, TrustPolicy.Identifiers(service.Identifier)));
        var atService = await aliceAccepted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await m.SendAsync(Message.To(Route.Of(malloryChannel.Address, atService.Address, Address.Local("inbox")), Route.Empty, "from S, honestly"u8.ToArray()));
        Assert.True(await aliceInbox.StaysEmptyAsync(TimeSpan.FromMilliseconds(500)));

        // What S itself sends to Alice still arrives.
        await s.SendAsync(Message.To(Route.Of(atService.Address, Address.Local("inbox")), Route.Empty, "from S"u8.ToArray()));
        Assert.Equal("from S"u8.ToArray(), (await aliceInbox.ReceiveAsync()).Payload.ToArray());
    }

    [Fact]
    public async Task A_forwarders_hop_joins_only_its_two_sides_and_never_dials_for_a_peer()
    {
        // M forwards to B; A is a peer of M. A writes a route through M's hop address to a TCP port: refused.
        var a = fleet.Node("a");
        var m = fleet.Node("m");
        var b = fleet.Node("b");
        await using var mTcp = new Ockam.Messaging.Transports.TcpTransport(m);
        var echoAtB = Address.Local("echo");
        b.StartWorker(echoAtB, new Echo());
        b.AcceptFlow(echoAtB, fleet.Flow(b));
        var forwarder = Forwarder.Start(m, Address.Local("to-b"), Route.Of(Address.Memory("b")), fleet.Flow(m));
        var replies = Inbox.Start(a, "replies", (await a.ProducerFlowAsync(Address.Memory("m")))!.Value);

        await a.SendAsync(Message.To(Route.Of(Address.Memory("m"), Address.Local("to-b"), echoAtB), Route.Of(Address.Local("replies")), "ping"u8.ToArray()));
        var reply = await replies.ReceiveAsync();
        Assert.Equal("ping"u8.ToArray(), reply.Payload.ToArray());

        // Skipping the forwarder, straight into M's connection to B: that connection accepts no peer's flow.
        var toB = await m.ResolveAsync(Address.Memory("b"), CancellationToken.None);
        await a.SendAsync(Message.To(Route.Of(Address.Memory("m"), toB, echoAtB), Route.Of(Address.Local("replies")), "skip"u8.ToArray()));
        Assert.True(await replies.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));

        var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        try
        {
            var port = ((IPEndPoint)target.LocalEndpoint).Port;
            await a.SendAsync(Message.To(Route.Of(Address.Memory("m"), forwarder.HopAddress, Address.Tcp($"127.0.0.1:{port}"), Address.Local("x")), Route.Empty, "dial"u8.ToArray()));
            // A window in which a dial, had one started, would have reached the listener: nothing must.
            await Task.Delay(300);
            Assert.False(target.Pending());
        }
        finally
        {
            target.Stop();
        }
    }
}
