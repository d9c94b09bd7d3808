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

    /// <summary>The identity was revoked as a member: it gets nothing until an admin readmits it.</summary>
    Revoked,

    /// <summary>One of the member's credentials was revoked: no fresh credential until an admin readmits it.</summary>
    Suspended,

    /// <summary>The caller may not do this on its current standing (a token granting more than it may grant).</summary>
    Denied,
}
