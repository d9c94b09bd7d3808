namespace Ockam.Messaging.Routing;

/// <summary>A message could not be routed; <see cref="Error"/> says why.</summary>
public sealed class RoutingException(RoutingError error, string message) : Exception(message)
{
    public RoutingError Error { get; } = error;
}
