namespace Ockam.Messaging.SecureChannels;

/// <summary>Why a secure-channel handshake was aborted.</summary>
public enum HandshakeError
{
    OutOfOrder,
    Truncated,
    DecryptionFailed,
    InvalidPublicKey,
}
