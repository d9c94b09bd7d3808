namespace Ockam.Messaging.Routing;

/// <summary>Why a message could not be routed.</summary>
public enum RoutingError
{
    EmptyRoute,
    RouteTooLong,
    NoSuchWorker,
    NoTransport,
    AddressInUse,
    MessageTooLarge,
    NodeStopped,
}
