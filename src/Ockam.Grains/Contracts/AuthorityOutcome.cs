namespace Ockam.Grains.Contracts;

[GenerateSerializer, Alias("ockam.authority-outcome")]
public enum AuthorityOutcome
{
    Issued,
    TokenUnknown,
    TokenExpired,
    TokenUsed,
    NotAMember,
    InvalidRequest,
}
