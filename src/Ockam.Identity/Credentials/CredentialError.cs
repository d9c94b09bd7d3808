namespace Ockam.Identity.Credentials;

/// <summary>Why a credential or revocation list was refused.</summary>
public enum CredentialError
{
    UntrustedIssuer,
    IssuerIdentityInvalid,
    BadAttestation,
    BadSignature,
    SignedOutsideKeyValidity,
    Expired,
    NotYetValid,
    Revoked,
    SubjectMismatch,
    NotADelegate,
    AttributeNotDelegated,
    AttributeNotEndorsable,
    DelegationChainBroken,
    DelegationTooDeep,
    RevocationListMissing,
    RevocationListStale,
    RevocationListRollback,
    RevocationListConflict,
}
