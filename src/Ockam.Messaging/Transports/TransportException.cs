namespace Ockam.Messaging.Transports;

/// <summary>A connection broke the framing rules and was dropped; <see cref="Error"/> says how.</summary>
public sealed class TransportException(TransportError error, string message) : Exception(message)
{
    public TransportError Error { get; } = error;
}
