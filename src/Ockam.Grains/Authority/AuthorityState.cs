namespace Ockam.Grains.Authority;

/// <summary>
/// The ledger's state: counters and the current signed list, whatever the size of the fleet. Members, serials and
/// revocations are rows (<see cref="IAuthorityStore"/>); the fields that held them here before are read once, moved
/// into rows, and emptied.
/// </summary>
[GenerateSerializer, Alias("ockam.authority-state")]
internal sealed record AuthorityState
{
    /// <summary>The first serial not yet reserved: stored before a block is handed out, so a restart skips the rest of a block and reuses none.</summary>
    [Id(0)]
    public ulong NextSerial { get; init; } = 1;

    /// <summary>Before members were rows: enrolled identities. Moved into rows on activation.</summary>
    [Id(1)]
    public Dictionary<string, Member> Members { get; init; } = [];

    /// <summary>Before revocations were rows: revoked serials. Moved into rows on activation.</summary>
    [Id(2)]
    public SortedSet<ulong> Revoked { get; init; } = [];

    [Id(3)]
    public ulong RevocationSequence { get; init; }

    [Id(4)]
    public byte[]? RevocationList { get; init; }

    /// <summary>Before revocations were rows: identities revoked as members. Moved into rows on activation.</summary>
    [Id(5)]
    public HashSet<string> RevokedSubjects { get; init; } = [];

    /// <summary>Whether the state still holds what belongs in rows.</summary>
    public bool HoldsRows => Members.Count > 0 || Revoked.Count > 0 || RevokedSubjects.Count > 0;
}

/// <summary>A member as the grain state held it before members were rows; read for the move into rows only.</summary>
[GenerateSerializer, Alias("ockam.authority-member")]
internal sealed record Member(
    [property: Id(0)] Dictionary<string, byte[]> Attributes,
    [property: Id(1)] List<ulong> Serials,
    [property: Id(2)] bool Suspended = false,
    [property: Id(3)] DateTimeOffset Since = default)
{
    /// <summary>When each serial that might still be unexpired was issued; null for a member recorded before issue times were kept.</summary>
    [Id(4)]
    public Dictionary<ulong, DateTimeOffset>? IssuedAt { get; set; }
}
