namespace Ockam.Messaging.SecureChannels;

/// <summary>A handshake that a listener refused or that timed out.</summary>
public sealed class HandshakeFailedEventArgs(HandshakeException exception) : EventArgs
{
    public HandshakeError Error => Exception.Error;

    public HandshakeException Exception { get; } = exception;
}
