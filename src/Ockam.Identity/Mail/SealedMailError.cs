namespace Ockam.Identity.Mail;

/// <summary>Why a recipient refuses a sealed message; each is a check that a forged, misdirected or replayed message fails.</summary>
public enum SealedMailError
{
    /// <summary>Sealed to another identity.</summary>
    WrongRecipient = 1,

    /// <summary>Bound to a relay this node does not receive from.</summary>
    WrongRelay,

    /// <summary>Sealed to an agreement key this node does not hold (another's, or one renewed away).</summary>
    UnknownRecipientKey,

    /// <summary>The claimed sender's history or agreement key does not verify, or the sender is revoked or expired.</summary>
    InvalidSender,

    /// <summary>The sender presented a credential that is refused (revoked, expired, not about it).</summary>
    InvalidCredential,

    /// <summary>The sender's verified credentials do not satisfy the recipient's policy.</summary>
    Untrusted,

    /// <summary>Does not open: not sealed by the claimed sender's key to this key, or a bound field was changed.</summary>
    NotAuthentic,

    /// <summary>The sender's history is older than, or forks from, the one this node knows.</summary>
    StaleSender,

    /// <summary>This sender's message with this counter was taken already (or is older than the window remembers).</summary>
    Replayed,

    /// <summary>The replay store remembers as many senders as it may; a new one cannot be remembered, so is refused.</summary>
    TooManySenders,
}
