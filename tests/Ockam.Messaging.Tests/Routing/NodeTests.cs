using Ockam.Messaging.Routing;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Tests.Routing;

public sealed class NodeTests : IAsyncLifetime
{
    private readonly Node node = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await node.DisposeAsync();

    [Fact]
    public async Task A_message_reaches_its_worker_and_the_reply_follows_the_return_route()
    {
        node.StartWorker(Address.Local("echo"), new Echo());
        var inbox = Inbox.Start(node, "me");
        await node.SendAsync(new Message(Route.Of(Address.Local("echo")), Route.Of(Address.Local("me")), "hi"u8.ToArray()));
        var reply = await inbox.ReceiveAsync();
        Assert.Equal("hi"u8.ToArray(), reply.Payload.ToArray());
        Assert.Equal(Route.Of(Address.Local("echo")), reply.ReturnRoute);
    }

    [Fact]
    public async Task Unknown_addresses_taken_addresses_and_missing_transports_are_typed_errors()
    {
        node.StartWorker(Address.Local("echo"), new Echo());
        Assert.Equal(RoutingError.NoSuchWorker, (await Assert.ThrowsAsync<RoutingException>(() => node.SendAsync(new Message(Route.Of(Address.Local("nobody")), Route.Empty, Array.Empty<byte>())).AsTask())).Error);
        Assert.Equal(RoutingError.AddressInUse, Assert.Throws<RoutingException>(() => node.StartWorker(Address.Local("echo"), new Echo())).Error);
        Assert.Equal(RoutingError.NoTransport, (await Assert.ThrowsAsync<RoutingException>(() => node.SendAsync(new Message(Route.Of(Address.Tcp("h:1")), Route.Empty, Array.Empty<byte>())).AsTask())).Error);
        Assert.Equal(RoutingError.EmptyRoute, (await Assert.ThrowsAsync<RoutingException>(() => node.SendAsync(new Message(Route.Empty, Route.Empty, Array.Empty<byte>())).AsTask())).Error);
    }

    [Fact]
    public async Task A_worker_that_throws_on_one_message_keeps_handling_the_next()
    {
        var inbox = Inbox.Start(node, "inbox");
        node.StartWorker(Address.Local("fragile"), new Fragile());
        await node.SendAsync(new Message(Route.Of(Address.Local("fragile")), Route.Of(Address.Local("inbox")), "boom"u8.ToArray()));
        await node.SendAsync(new Message(Route.Of(Address.Local("fragile")), Route.Of(Address.Local("inbox")), "fine"u8.ToArray()));
        Assert.Equal("fine"u8.ToArray(), (await inbox.ReceiveAsync()).Payload.ToArray());
    }

    [Fact]
    public async Task A_forwarder_continues_the_route_and_stays_on_the_way_back()
    {
        var inbox = Inbox.Start(node, "inbox");
        node.StartWorker(Address.Local("echo"), new Echo());
        var forwarder = Forwarder.Start(node, Address.Local("fwd"), Route.Of(Address.Local("echo")));
        await node.SendAsync(new Message(Route.Of(Address.Local("fwd")), Route.Of(Address.Local("inbox")), "x"u8.ToArray()));
        var reply = await inbox.ReceiveAsync();
        Assert.Equal(Route.Of(forwarder.HopAddress, Address.Local("echo")), reply.ReturnRoute);
    }

    [Fact]
    public async Task A_stopped_worker_is_gone_and_a_full_mailbox_makes_senders_wait()
    {
        await using var small = new Node(new NodeOptions { MailboxCapacity = 2 });
        var gate = new TaskCompletionSource();
        small.StartWorker(Address.Local("slow"), new Blocked(gate.Task));
        var sends = Enumerable.Range(0, 4).Select(_ => small.SendAsync(new Message(Route.Of(Address.Local("slow")), Route.Empty, Array.Empty<byte>())).AsTask()).ToList();
        // A window in which the sends would all complete if the mailbox were unbounded: one must not.
        await Task.Delay(100);
        Assert.Contains(sends, s => !s.IsCompleted); // back-pressure, not loss
        gate.SetResult();
        await Task.WhenAll(sends);

        await small.StopWorkerAsync(Address.Local("slow"));
        Assert.False(small.HasWorker(Address.Local("slow")));
        Assert.Equal(0, small.WorkerCount);
    }

    /// <summary>
    /// With the default bounds, a worker that takes nothing holds about 4 MiB of 200 KiB messages, not a thousand of
    /// them: the rest of the senders wait. Fails if the node's mailboxes were bounded in messages only.
    /// </summary>
    [Fact]
    public async Task A_mailbox_makes_senders_of_large_messages_wait_by_bytes_not_only_by_count()
    {
        await using var node = new Node(new NodeOptions());
        var gate = new TaskCompletionSource();
        node.StartWorker(Address.Local("slow"), new Blocked(gate.Task));
        var sends = Enumerable.Range(0, 64).Select(_ => node.SendAsync(new Message(Route.Of(Address.Local("slow")), Route.Empty, new byte[200 * 1024])).AsTask()).ToList();
        await Task.Delay(200);
        var taken = sends.Count(s => s.IsCompletedSuccessfully);
        Assert.InRange(taken, 2, 1 + (int)(new NodeOptions().MailboxBytes / (200 * 1024)));
        gate.SetResult();
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Senders_waiting_for_room_are_refused_when_the_worker_stops_and_one_that_gives_up_gets_its_cancellation()
    {
        await using var small = new Node(new NodeOptions { MailboxCapacity = 1 });
        small.StartWorker(Address.Local("slow"), new Blocked(new TaskCompletionSource().Task));
        Message Next() => new(Route.Of(Address.Local("slow")), Route.Empty, Array.Empty<byte>());

        // The first is in the handler (held for ever), the second fills the mailbox; the rest wait for room.
        await small.SendAsync(Next());
        await small.SendAsync(Next()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => small.SendAsync(Next(), giveUp.Token).AsTask());
        var waiting = small.SendAsync(Next()).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        await small.StopWorkerAsync(Address.Local("slow")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RoutingError.NoSuchWorker, (await Assert.ThrowsAsync<RoutingException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)))).Error);
    }

    private sealed class Fragile : IWorker
    {
        public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) =>
            message.Payload.Span.SequenceEqual("boom"u8) ? throw new InvalidOperationException("boom") : context.SendAsync(message.Reply(message.Payload), cancellationToken);
    }

    [Fact]
    public async Task A_worker_with_a_mailbox_per_address_handles_one_address_while_another_waits()
    {
        var gate = new TaskCompletionSource();
        var inbox = Inbox.Start(node, "inbox");
        var worker = new BlockedAtFirst(gate.Task, Address.Local("in"));
        node.StartWorker([Address.Local("in"), Address.Local("out")], worker, mailbox: WorkerMailbox.PerAddress);

        // "in" is held; "out" still answers, and more for "in" wait in its own mailbox, not in front of "out".
        await node.SendAsync(new Message(Route.Of(Address.Local("in")), Route.Of(Address.Local("inbox")), "held"u8.ToArray()));
        await node.SendAsync(new Message(Route.Of(Address.Local("in")), Route.Of(Address.Local("inbox")), "queued"u8.ToArray()));
        await node.SendAsync(new Message(Route.Of(Address.Local("out")), Route.Of(Address.Local("inbox")), "out"u8.ToArray()));
        Assert.Equal("out"u8.ToArray(), (await inbox.ReceiveAsync()).Payload.ToArray());

        gate.SetResult();
        Assert.Equal("held"u8.ToArray(), (await inbox.ReceiveAsync()).Payload.ToArray());
        Assert.Equal("queued"u8.ToArray(), (await inbox.ReceiveAsync()).Payload.ToArray());
    }

    [Fact]
    public async Task A_worker_with_no_mailbox_is_run_by_its_senders_at_once_and_refuses_them_once_stopped()
    {
        var gate = new TaskCompletionSource();
        node.StartWorker([Address.Local("inline")], new Blocked(gate.Task), mailbox: WorkerMailbox.None);

        // Each sender waits in the handler itself: two are inside at once, with no mailbox to fill.
        var first = node.SendAsync(new Message(Route.Of(Address.Local("inline")), Route.Empty, "1"u8.ToArray())).AsTask();
        var second = node.SendAsync(new Message(Route.Of(Address.Local("inline")), Route.Empty, "2"u8.ToArray())).AsTask();
        Assert.False(first.IsCompleted || second.IsCompleted);
        gate.SetResult();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));

        await node.StopWorkerAsync(Address.Local("inline"));
        Assert.Equal(RoutingError.NoSuchWorker, (await Assert.ThrowsAsync<RoutingException>(() => node.SendAsync(new Message(Route.Of(Address.Local("inline")), Route.Empty, "3"u8.ToArray())).AsTask())).Error);
    }

    /// <summary>Holds messages to <c>held</c> until the gate opens; answers each with its payload.</summary>
    private sealed class BlockedAtFirst(Task gate, Address held) : IWorker
    {
        public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
        {
            if (message.OnwardRoute.Next.Equals(held))
            {
                await gate.WaitAsync(cancellationToken);
            }

            await context.SendAsync(message.Reply(message.Payload), cancellationToken);
        }
    }

    private sealed class Blocked(Task gate) : IWorker
    {
        public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) => await gate.WaitAsync(cancellationToken);
    }
}
