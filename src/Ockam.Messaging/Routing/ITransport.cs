namespace Ockam.Messaging.Routing;

/// <summary>
/// Moves messages between nodes. The node hands it the non-local first hop of a route ("tcp:host:port")
/// and gets back the local address of the worker that sends there (a connection).
/// </summary>
internal interface ITransport
{
    TransportType Type { get; }

    ValueTask<Address> ResolveAsync(Address remote, CancellationToken cancellationToken);
}
