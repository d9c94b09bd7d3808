namespace Ockam.Messaging.SecureChannels;

/// <summary>Why a secure-channel handshake was aborted. Every abort leaves no channel and no keys behind.</summary>
public enum HandshakeError
{
    /// <summary>A handshake message arrived when the other side's was expected.</summary>
    OutOfOrder,

    /// <summary>A handshake message was shorter than its fields.</summary>
    Truncated,

    /// <summary>A handshake message failed authentication (tampered, or a different protocol version).</summary>
    DecryptionFailed,

    /// <summary>A public key that is malformed or of low order.</summary>
    InvalidPublicKey,

    /// <summary>The identity proof is malformed, or its history or attestation does not verify.</summary>
    InvalidIdentity,

    /// <summary>The attested secure-channel key is not the key that ran the handshake (a man in the middle).</summary>
    StaticKeyMismatch,

    /// <summary>A presented credential is forged, expired, revoked or not about the peer.</summary>
    InvalidCredential,

    /// <summary>The peer proved who it is, but the trust policy does not accept it.</summary>
    Untrusted,

    /// <summary>The handshake did not complete within the handshake timeout.</summary>
    TimedOut,

    /// <summary>The peer presented an older history than the longest known for its identity (a rolled-away key), or one that forks from it.</summary>
    StaleIdentity,

    /// <summary>
    /// The store of known histories (at the silo, the identity grains) could not be asked, so the peer's history could
    /// not be checked against the longest known: refused now rather than left to time out; the peer may try again.
    /// </summary>
    HistoriesUnavailable,

    /// <summary>
    /// The peer proved who it is, but opens channels faster than this listener admits one identity to (and waited
    /// longer than the listener's patience for its turn): refused now; it may try again later.
    /// </summary>
    TooFrequent,
}
