using Ockam.Grains.Contracts;

namespace Ockam.Grains.GroupLog;

/// <summary>
/// Where Delivery Services keep their groups' logs (a room's or a topic's commits and application messages): one row
/// per entry, keyed by (group, index), read in index order, the oldest deleted once the log passes its bounds. The
/// grain keeps only its cursors and counters, so appending the thousandth entry writes that entry and nothing else.
/// </summary>
/// <remarks>
/// Writes are group-committed: a task completes once its change is durable (in one transaction with whatever other
/// groups wrote meanwhile), so a sender hears that its message is logged only once it would survive a crash.
/// </remarks>
internal interface IGroupLogStore
{
    /// <summary>
    /// Appends <paramref name="entries"/> (indices ascending, after every one stored for <paramref name="group"/>) and
    /// deletes the group's entries before <paramref name="keepFrom"/>, in one transaction; completes once it is durable.
    /// </summary>
    Task AppendAsync(string group, IReadOnlyList<GroupLogEntry> entries, ulong keepFrom, CancellationToken cancellationToken);

    /// <summary>
    /// The entries after <paramref name="afterIndex"/>, oldest first: at most <paramref name="maxCount"/>, and no more than
    /// <paramref name="maxBytes"/> counting each entry's bytes and <see cref="GroupLogPage.EntryOverhead"/> (but always one, if there is one).
    /// </summary>
    Task<GroupLogPage> ReadAsync(string group, ulong afterIndex, int maxCount, int maxBytes, CancellationToken cancellationToken);

    /// <summary>The commit kept for <paramref name="epoch"/> (the one that won it), if any.</summary>
    Task<LogEntry?> FindCommitAsync(string group, ulong epoch, CancellationToken cancellationToken);

    /// <summary>The newest commit kept that removed <paramref name="identifier"/>, if any.</summary>
    Task<LogEntry?> FindRemovalAsync(string group, string identifier, CancellationToken cancellationToken);

    /// <summary>The index and size of every entry kept for <paramref name="group"/>, oldest first: what its bounds are counted on.</summary>
    Task<IReadOnlyList<KeptEntry>> ListAsync(string group, CancellationToken cancellationToken);
}
