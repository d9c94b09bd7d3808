namespace Ockam.Grains.Authority;

[GenerateSerializer, Alias("ockam.authority-state")]
internal sealed record AuthorityState
{
    /// <summary>The next serial to issue; serials are never reused, so it is stored before a credential is signed.</summary>
    [Id(0)]
    public ulong NextSerial { get; init; } = 1;

    /// <summary>Enrolled identities and the attributes their credentials carry.</summary>
    [Id(1)]
    public Dictionary<string, Member> Members { get; init; } = [];

    [Id(2)]
    public SortedSet<ulong> Revoked { get; init; } = [];

    [Id(3)]
    public ulong RevocationSequence { get; init; }

    [Id(4)]
    public byte[]? RevocationList { get; init; }

    /// <summary>Identities revoked as members: they redeem no token, old or new, until an admin readmits them.</summary>
    [Id(5)]
    public HashSet<string> RevokedSubjects { get; init; } = [];
}

/// <param name="Attributes">What its credentials carry.</param>
/// <param name="Serials">Every serial issued to it.</param>
/// <param name="Suspended">One of its serials was revoked: no fresh credential until an admin readmits it.</param>
/// <param name="Since">When its current standing (attributes, readmission) began: tokens it created before then do not outlive the change.</param>
[GenerateSerializer, Alias("ockam.authority-member")]
internal sealed record Member(
    [property: Id(0)] Dictionary<string, byte[]> Attributes,
    [property: Id(1)] List<ulong> Serials,
    [property: Id(2)] bool Suspended = false,
    [property: Id(3)] DateTimeOffset Since = default)
{
    /// <summary>
    /// When each of its credentials that may still be unexpired was issued (older ones are dropped); null for a member
    /// recorded before issue times were kept.
    /// </summary>
    [Id(4)]
    public Dictionary<ulong, DateTimeOffset>? IssuedAt { get; set; }
}
