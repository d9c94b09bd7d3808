namespace Ockam.Messaging.Routing;

/// <summary>What a worker knows about where it runs: its node and its addresses.</summary>
public sealed class WorkerContext
{
    internal WorkerContext(Node node, IReadOnlyList<Address> addresses)
    {
        Node = node;
        Addresses = addresses;
    }

    public Node Node { get; }

    /// <summary>The worker's addresses; the first is its main one.</summary>
    public IReadOnlyList<Address> Addresses { get; }

    public Address Address => Addresses[0];

    public ValueTask SendAsync(Message message, CancellationToken cancellationToken = default) => Node.SendAsync(message, cancellationToken);

    /// <summary>Stops this worker after the message being handled; safe to call from its own handler.</summary>
    public void Stop() => _ = Node.StopWorkerAsync(Address);
}
