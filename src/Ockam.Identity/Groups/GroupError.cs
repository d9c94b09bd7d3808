namespace Ockam.Identity.Groups;

/// <summary>Why a group commit or message was refused.</summary>
public enum GroupError
{
    WrongGroup,

    /// <summary>From an epoch this member has left behind (or a commit that does not follow the current epoch).</summary>
    StaleEpoch,

    /// <summary>From an epoch this member has not reached (it has missed a commit).</summary>
    FutureEpoch,

    /// <summary>The sender or committer is not a member of the epoch.</summary>
    NotAMember,

    /// <summary>The signature does not verify with the claimed sender's attested key (a forged sender field).</summary>
    BadSignature,

    /// <summary>This (sender, generation) was already received.</summary>
    Replayed,

    /// <summary>A generation so far ahead that deriving the keys up to it is refused.</summary>
    TooFarAhead,

    /// <summary>The ciphertext does not authenticate.</summary>
    DecryptionFailed,

    /// <summary>The commit seals no epoch secret to this member: it has been removed.</summary>
    Removed,
}
