namespace Ockam.Grains.Groups;

/// <summary>
/// What a Delivery Service stored of its log before the log was rows (<see cref="GroupLog.IGroupLogStore"/>): the
/// entries, which the grain moves into rows once when it activates, and the next index, kept as a floor so that no
/// index is given twice.
/// </summary>
[GenerateSerializer, Alias("ockam.delivery-log-state")]
internal sealed record DeliveryLogState
{
    [Id(0)]
    public ulong NextIndex { get; init; } = 1;

    /// <summary>Recent entries, oldest first, as stored before rows; empty once moved.</summary>
    [Id(1)]
    public List<LoggedEntry> Entries { get; init; } = [];
}

/// <summary>
/// One commit or message as stored before rows: the epoch it is of, and for a commit the identifiers it removed.
/// </summary>
[GenerateSerializer, Alias("ockam.logged-entry")]
internal sealed record LoggedEntry(
    [property: Id(0)] ulong Index,
    [property: Id(1)] ulong Epoch,
    [property: Id(2)] Contracts.LogEntryKind Kind,
    [property: Id(3)] byte[] Bytes,
    [property: Id(4)] List<string> Removed);
