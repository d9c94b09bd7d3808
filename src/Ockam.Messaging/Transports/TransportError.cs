namespace Ockam.Messaging.Transports;

/// <summary>Why a transport dropped a connection.</summary>
public enum TransportError
{
    /// <summary>A frame announced more bytes than the limit.</summary>
    FrameTooLarge,

    /// <summary>The peer closed the connection in the middle of a frame.</summary>
    Truncated,

    /// <summary>A frame that is not a well-formed message.</summary>
    Malformed,

    /// <summary>Nothing (not even a keep-alive) arrived within the idle timeout.</summary>
    IdleTimeout,
}
