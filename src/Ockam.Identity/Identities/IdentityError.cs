namespace Ockam.Identity.Identities;

/// <summary>Why an identity, its history or one of its attestations was refused.</summary>
public enum IdentityError
{
    EmptyHistory,
    HistoryTooLong,
    MalformedFirstChange,
    BrokenChain,
    BadSignature,
    BadPreviousSignature,
    TimeOutOfOrder,
    FromTheFuture,
    SignedWithExpiredKey,
    ChangeAfterRevocation,
    KeyReused,
    DifferentIdentity,
    Fork,
    Compromised,
    Revoked,
    KeyExpired,
    AttestationBadSignature,
    AttestationWrongSubject,
    AttestationWrongPurpose,
    AttestationUnknownSigner,
    AttestationExpired,
    AttestationNotYetValid,
    PurposeKeysRevoked,

    /// <summary>An older history than the longest one known: a rollback, refused.</summary>
    RolledBack,
}
