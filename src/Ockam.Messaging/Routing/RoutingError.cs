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

    /// <summary>The worker does not accept messages of the producer's flow (flow control).</summary>
    FlowDenied,
}
