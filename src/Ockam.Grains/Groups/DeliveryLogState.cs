namespace Ockam.Grains.Groups;

/// <summary>The one ordered log of a group's commits and application messages, bounded in count and bytes.</summary>
[GenerateSerializer, Alias("ockam.delivery-log-state")]
internal sealed record DeliveryLogState
{
    [Id(0)]
    public ulong NextIndex { get; init; } = 1;

    /// <summary>Recent entries, oldest first.</summary>
    [Id(1)]
    public List<LoggedEntry> Entries { get; init; } = [];
}

/// <summary>
/// One commit or message: the epoch it is of, and for a commit the identifiers it removed (each may read that one
/// commit, to learn it is out).
/// </summary>
[GenerateSerializer, Alias("ockam.logged-entry")]
internal sealed record LoggedEntry(
    [property: Id(0)] ulong Index,
    [property: Id(1)] ulong Epoch,
    [property: Id(2)] Contracts.LogEntryKind Kind,
    [property: Id(3)] byte[] Bytes,
    [property: Id(4)] List<string> Removed);
