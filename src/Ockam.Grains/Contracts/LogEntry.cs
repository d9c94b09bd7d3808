namespace Ockam.Grains.Contracts;

/// <summary>
/// One commit or application message in the group's log: its place (<see cref="Index"/>, shared by commits and
/// messages), the epoch it is of (a commit's leads to the next), its kind and its MLSMessage bytes.
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.log-entry")]
public sealed record LogEntry(
    [property: Id(0)] ulong Index,
    [property: Id(1)] ulong Epoch,
    [property: Id(2)] LogEntryKind Kind,
    [property: Id(3)] byte[] Bytes);
