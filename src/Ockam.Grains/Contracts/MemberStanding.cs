namespace Ockam.Grains.Contracts;

/// <summary>What the authority's records say of an identity now: the gateway authorizes each request on this, not on the credential shown at the handshake.</summary>
[GenerateSerializer, Immutable, Alias("ockam.member-standing")]
public sealed record MemberStanding(
    [property: Id(0)] MemberStatus Status,
    [property: Id(1)] IReadOnlyDictionary<string, byte[]> Attributes);

public enum MemberStatus
{
    NotAMember,
    Member,

    /// <summary>A credential of it was revoked: it holds no attributes until an admin readmits it.</summary>
    Suspended,

    /// <summary>Revoked as a member: it holds no attributes until an admin readmits it.</summary>
    Revoked,
}
