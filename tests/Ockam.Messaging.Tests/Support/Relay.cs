using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Tests.Support;

/// <summary>
/// The untrusted service in the middle: forwards like <see cref="Forwarder"/> (both directions pass
/// through it), but lets the test record, alter, drop, duplicate or hold back each message it relays.
/// </summary>
internal sealed class Relay : IWorker
{
    private readonly List<byte[]> seen = [];
    private readonly Route target;
    private readonly Func<Message, IEnumerable<Message>>? meddle;
    private readonly Address address;
    private readonly Address hop = Address.RandomLocal("relay");

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

    public static Relay Start(Node node, string name, Route target, Func<Message, IEnumerable<Message>>? meddle = null)
    {
        var relay = new Relay(Address.Local(name), target, meddle);
        node.StartWorker([relay.address, relay.hop], relay);
        return relay;
    }

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        lock (seen)
        {
            seen.Add(message.Payload.ToArray());
        }

        var rest = message.OnwardRoute.Step();
        var onward = new Message(message.OnwardRoute.Next.Equals(address) ? rest.Prepend(target) : rest, message.ReturnRoute.Prepend(hop), message.Payload);
        foreach (var output in meddle is null ? [onward] : meddle(onward))
        {
            await context.SendAsync(output, cancellationToken);
        }
    }
}
