using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Tests.Support;

/// <summary>
/// The untrusted service in the middle: forwards like <see cref="Forwarder"/> (both directions pass
/// through it), but lets the test record, alter, drop, duplicate or hold back each message it relays.
/// It sends as local code of its node: the service can do anything on its own node.
/// </summary>
internal sealed class Relay : IWorker
{
    private readonly List<byte[]> seen = [];
    private readonly Route target;
    private readonly Func<Message, IEnumerable<Message>>? meddle;
    private readonly Address address;
    private readonly Address hop = Address.RandomLocal("relay");
    private Node? node;

    private Relay(Address address, Route target, Func<Message, IEnumerable<Message>>? meddle)
    {
        this.address = address;
        this.target = target;
        this.meddle = meddle;
    }

    /// <summary>Every payload this relay has handled, in order.</summary>
    public IReadOnlyList<byte[]> Seen
    {
        get
        {
            lock (seen)
            {
                return [.. seen];
            }
        }
    }

    /// <summary>A relay that peers reach through <paramref name="from"/> (the node's transport flow).</summary>
    public static Relay Start(Node node, FlowId from, string name, Route target, Func<Message, IEnumerable<Message>>? meddle = null)
    {
        var relay = new Relay(Address.Local(name), target, meddle);
        node.StartWorker([relay.address, relay.hop], relay);
        relay.node = node;
        relay.Accept(from);
        return relay;
    }

    /// <summary>Lets <paramref name="flow"/> reach the relay too (e.g. a channel's, when the relay is reached through one).</summary>
    public void Accept(FlowId flow)
    {
        node!.AcceptFlow(address, flow);
        node.AcceptFlow(hop, flow);
    }

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        lock (seen)
        {
            seen.Add(message.Payload.ToArray());
        }

        if (await context.Node.ProducerFlowAsync(target.Next, cancellationToken) is { } answers)
        {
            context.Node.AcceptFlow(hop, answers);
        }

        var rest = message.OnwardRoute.Step();
        var onward = new Message(message.OnwardRoute.Next.Equals(address) ? rest.Prepend(target) : rest, message.ReturnRoute.Prepend(hop), message.Payload);
        foreach (var output in meddle is null ? [onward] : meddle(onward))
        {
            await context.SendAsync(output, cancellationToken);
        }
    }
}
