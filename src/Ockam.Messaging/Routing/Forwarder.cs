using Ockam.Messaging.Telemetry;

namespace Ockam.Messaging.Routing;

/// <summary>
/// Sends whatever reaches its address on along a fixed route: the way a node lets peers reach a further
/// node without letting them make it dial anywhere they like. It also puts a hop address of its own on
/// the return route, so replies, and everything after them, come back through it in both directions.
/// </summary>
/// <remarks>
/// Flow control: the forwarder's address accepts the flows it is started with. Only there does it act as
/// local code (its target is the operator's choice). Its hop address accepts the flows of the two producers an
/// outbound message joined — the one it came through and the target's — and passes a message of one of them
/// on only to the other; a peer can never make it dial, nor reach anything else.
/// </remarks>
public sealed class Forwarder : IWorker
{
    private readonly Route target;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<FlowId, System.Collections.Concurrent.ConcurrentDictionary<Address, byte>> joined = new();

    private Forwarder(Address address, Route target)
    {
        Address = address;
        HopAddress = Address.RandomLocal("fwd");
        this.target = target;
    }

    /// <summary>The forwarder's name: messages sent here continue along the target route.</summary>
    public Address Address { get; }

    /// <summary>Where replies (and later traffic) pass through on their way in either direction.</summary>
    public Address HopAddress { get; }

    /// <summary>Starts a forwarder reachable by local code and by <paramref name="from"/> (e.g. a transport's flow).</summary>
    public static Forwarder Start(Node node, Address address, Route target, params IEnumerable<FlowId> from)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(from);
        if (target.IsEmpty)
        {
            throw new ArgumentException("a forwarder needs a target", nameof(target));
        }

        var forwarder = new Forwarder(address, target);
        node.StartWorker([address, forwarder.HopAddress], forwarder);
        foreach (var flow in from)
        {
            node.AcceptFlow(address, flow);
        }

        return forwarder;
    }

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(message);
        var node = context.Node;
        var rest = message.OnwardRoute.Step();
        var back = message.ReturnRoute.Prepend(HopAddress);
        if (!message.OnwardRoute.Next.Equals(Address))
        {
            // Through the hop: a peer's message goes only to the producer its own was joined with.
            if (message.Flow is { } flow && (rest.IsEmpty || !joined.TryGetValue(flow, out var others) || !others.ContainsKey(rest.Next)))
            {
                MessagingTelemetry.FlowDenied.Add(1);
                return;
            }

            await node.SendAsync(new Message(rest, back, message.Payload), cancellationToken).ConfigureAwait(false);
            return;
        }

        var outbound = await node.ResolveAsync(target.Next, cancellationToken).ConfigureAwait(false);
        if (message.Flow is { } inbound)
        {
            await JoinAsync(node, inbound, message.ReturnRoute, outbound, cancellationToken).ConfigureAwait(false);
        }

        await context.SendAsync(new Message(rest.Prepend(target.ReplaceNext(outbound)), back, message.Payload), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lets traffic of the two producers this message joins pass the hop, each to the other and nowhere else.</summary>
    private async ValueTask JoinAsync(Node node, FlowId inbound, Route returnRoute, Address outbound, CancellationToken cancellationToken)
    {
        node.AcceptFlow(HopAddress, inbound);
        Join(inbound, outbound);
        if (await node.ProducerFlowAsync(outbound, cancellationToken).ConfigureAwait(false) is not { } answers)
        {
            return;
        }

        node.AcceptFlow(HopAddress, answers);

        // The first return hop is the producer that delivered the message (a connection or a channel puts itself
        // there); anything else named there is not joined.
        if (!returnRoute.IsEmpty && await node.ProducerFlowAsync(returnRoute.Next, cancellationToken).ConfigureAwait(false) == inbound)
        {
            Join(answers, returnRoute.Next);
        }
    }

    private void Join(FlowId from, Address to) => joined.GetOrAdd(from, _ => new()).TryAdd(to, 0);
}
