using Ockam.Identity.Identities;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Tests.SecureChannels;

/// <summary>
/// A channel's send and receive sides do not share one bounded queue: a service behind a channel that takes
/// a bounded number of requests at once, whose answers go back through the same channel, never deadlocks
/// however far the peer's requests outrun it (the drain of a full relay did, with one mailbox per channel).
/// </summary>
public sealed class QueueCycleTests : IAsyncLifetime
{
    private readonly Fleet fleet = new();
    private readonly List<IAsyncDisposable> owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in owned)
        {
            await item.DisposeAsync();
        }

        await fleet.DisposeAsync();
    }

    [Fact]
    public async Task Many_more_requests_than_a_bounded_service_takes_at_once_are_all_answered_through_one_channel()
    {
        const int requests = 2_000;
        var client = await fleet.MemberAsync();
        var server = await fleet.MemberAsync();

        // Small mailboxes make the cycle close within a few dozen messages, as 1 024 did within thousands.
        var (a, _) = Node("client");
        var (b, bFlow) = Node("server");
        var listener = SecureChannelListener.Start(b, "listener", fleet.Options(server, TrustPolicy.AnyIdentity) with { IncomingFlows = [bFlow] });
        b.StartWorker(Address.Local("service"), new BoundedService(concurrency: 2));
        b.AcceptFlow(Address.Local("service"), listener.Flow);
        var answers = Inbox.Start(a, "answers");

        var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("server"), Address.Local("listener")), fleet.Options(client, TrustPolicy.Identifiers(server.Identifier)), [Address.Local("answers")]);

        // The peer sends as fast as its channel takes requests, and reads its answers meanwhile.
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var sending = Task.Run(
            async () =>
            {
                for (var i = 0; i < requests; i++)
                {
                    await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("service")), Route.Of(Address.Local("answers")), BitConverter.GetBytes(i)), stop.Token);
                }
            },
            stop.Token);

        var received = new HashSet<int>();
        try
        {
            for (var i = 0; i < requests; i++)
            {
                received.Add(BitConverter.ToInt32((await answers.ReceiveAsync(TimeSpan.FromSeconds(20))).Payload.Span));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(sending);
        }

        Assert.Equal(requests, received.Count);
        await sending;
    }

    private (Node Node, FlowId Flow) Node(string name)
    {
        var node = new Node(new NodeOptions { MailboxCapacity = 4 });
        var memory = new MemoryTransport(node, fleet.Network);
        memory.Listen(name);
        owned.Add(memory);
        owned.Add(node);
        return (node, memory.Flow);
    }

    /// <summary>
    /// A service shaped like the gateway's api: at most <c>concurrency</c> requests at once (more wait in its
    /// mailbox), each answered concurrently along its return route, back through the channel it came from.
    /// </summary>
    private sealed class BoundedService(int concurrency) : IWorker
    {
        private readonly SemaphoreSlim slots = new(concurrency, concurrency);

        public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
        {
            await slots.WaitAsync(cancellationToken);
            _ = Task.Run(
                async () =>
                {
                    try
                    {
                        await Task.Yield();
                        await context.SendAsync(message.Reply(message.Payload), cancellationToken);
                    }
                    finally
                    {
                        slots.Release();
                    }
                },
                CancellationToken.None);
        }
    }
}
