using System.Threading.Channels;
using Ockam.Messaging.Routing;

namespace Ockam.Testing;

/// <summary>A worker that keeps what it receives, for a test to await.</summary>
internal sealed class Inbox : IWorker
{
    private readonly Channel<Message> received = Channel.CreateUnbounded<Message>();

    /// <summary>An inbox that local code reaches, and messages of <paramref name="from"/> (e.g. a channel's or listener's flow).</summary>
    public static Inbox Start(Node node, string name, params IEnumerable<FlowId> from)
    {
        var inbox = new Inbox();
        node.StartWorker(Address.Local(name), inbox);
        foreach (var flow in from)
        {
            node.AcceptFlow(Address.Local(name), flow);
        }

        return inbox;
    }

    public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) =>
        received.Writer.WriteAsync(message, cancellationToken);

    public async Task<Message> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        return await received.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>True if nothing arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> StaysEmptyAsync(TimeSpan wait)
    {
        // The point is that nothing happens within the window: there is no event to wait for instead.
        await Task.Delay(wait);
        return !received.Reader.TryPeek(out _);
    }

    public bool TryTake(out Message message) => received.Reader.TryRead(out message!);
}
