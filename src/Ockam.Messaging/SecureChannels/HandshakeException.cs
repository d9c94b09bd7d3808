namespace Ockam.Messaging.SecureChannels;

/// <summary>A handshake failed; no channel exists. <see cref="Error"/> says why.</summary>
public sealed class HandshakeException : Exception
{
    public HandshakeException(HandshakeError error, string message, Exception? innerException = null)
        : base(message, innerException) => Error = error;

    public HandshakeError Error { get; }
}
