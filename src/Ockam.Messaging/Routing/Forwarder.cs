namespace Ockam.Messaging.Routing;

/// <summary>
/// Sends whatever reaches its address on along a fixed route: the way a node lets peers reach a further
/// node without letting them make it dial anywhere they like. It also puts a hop address of its own on
/// the return route, so replies, and everything after them, come back through it in both directions.
/// </summary>
public sealed class Forwarder : IWorker
{
    private readonly Route target;

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

    public static Forwarder Start(Node node, Address address, Route target)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(target);
        var forwarder = new Forwarder(address, target);
        node.StartWorker([address, forwarder.HopAddress], forwarder);
        return forwarder;
    }

    public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(message);
        var rest = message.OnwardRoute.Step();
        var onward = message.OnwardRoute.Next.Equals(Address) ? rest.Prepend(target) : rest;
        return context.SendAsync(new Message(onward, message.ReturnRoute.Prepend(HopAddress), message.Payload), cancellationToken);
    }
}
