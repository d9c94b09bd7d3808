namespace Ockam.Messaging.SecureChannels;

/// <summary>Why a channel dropped a data message. The channel stays open: a forger cannot close it.</summary>
internal enum DataRejection
{
    /// <summary>Shorter than counter and tag, or the reserved counter 2^64-1.</summary>
    Malformed,

    /// <summary>This counter was already accepted.</summary>
    Replayed,

    /// <summary>Older than the replay window.</summary>
    TooOld,

    /// <summary>So far ahead that accepting it would mean deriving keys past the window.</summary>
    TooFarAhead,

    /// <summary>The tag did not verify (tampered, forged, or from another session).</summary>
    DecryptionFailed,
}
