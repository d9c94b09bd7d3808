using Ockam.Messaging.Api;

namespace Ockam.Client.Edge;

/// <summary>The silo refused a request; <see cref="Status"/> says why.</summary>
public sealed class EdgeException(ApiStatus status, string message) : Exception(message)
{
    public ApiStatus Status { get; } = status;
}
