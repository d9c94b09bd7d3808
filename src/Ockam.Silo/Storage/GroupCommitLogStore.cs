using System.Data.Common;
using Ockam.Grains.Contracts;
using Ockam.Grains.GroupLog;

namespace Ockam.Silo.Storage;

/// <summary>
/// The group logs of a database, written through one <see cref="GroupCommit{TWrite}"/>: a commit's flush to disk is
/// shared by everything that arrived meanwhile, from every room and topic of the silo.
/// </summary>
internal abstract class GroupCommitLogStore : IGroupLogStore, IAsyncDisposable, IDisposable
{
    /// <summary>Entries per transaction at most.</summary>
    public const int MaxBatch = 4096;

    /// <summary>Entry bytes per transaction at most (a single larger write goes alone).</summary>
    public const int MaxBatchBytes = 16 * 1024 * 1024;

    /// <summary>The columns an entry is read from, in the order <see cref="ReadEntryAsync"/> takes them.</summary>
    protected const string EntryColumns = "LogIndex, Epoch, Kind, Size, Bytes";

    private readonly GroupCommit<GroupLogWrite> writer;

    protected GroupCommitLogStore(string serviceId)
    {
        ServiceId = serviceId;
        writer = new(batch => WriteBatchAsync(batch, CancellationToken.None), MaxBatch, MaxBatchBytes);
    }

    /// <summary>Names this deployment's rows, as it names its grain states.</summary>
    protected string ServiceId { get; }

    public async Task AppendAsync(string group, IReadOnlyList<GroupLogEntry> entries, ulong keepFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var i = 1; i < entries.Count; i++)
        {
            if (entries[i].Index <= entries[i - 1].Index)
            {
                throw new ArgumentException("entries are not in ascending index order", nameof(entries));
            }
        }

        var write = new GroupLogWrite(group, entries, keepFrom);
        writer.Enqueue(write);
        await write.Done.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public abstract Task<GroupLogPage> ReadAsync(string group, ulong afterIndex, int maxCount, int maxBytes, CancellationToken cancellationToken);

    public abstract Task<LogEntry?> FindCommitAsync(string group, ulong epoch, CancellationToken cancellationToken);

    public abstract Task<LogEntry?> FindRemovalAsync(string group, string identifier, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<KeptEntry>> ListAsync(string group, CancellationToken cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // What is queued is still written: its callers wait for it.
        await writer.DisposeAsync().ConfigureAwait(false);
        await DisposeCoreAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>For a container disposed synchronously (a host's <c>Dispose</c>): the same, waited for.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Applies <paramref name="batch"/> in one transaction (each write's appends, then its deletions); throws if nothing was committed.</summary>
    protected abstract Task WriteBatchAsync(IReadOnlyList<GroupLogWrite> batch, CancellationToken cancellationToken);

    protected abstract ValueTask DisposeCoreAsync();

    /// <summary>Reads a page from rows of <see cref="EntryColumns"/> in index order: stops at <paramref name="maxCount"/>, or before passing <paramref name="maxBytes"/> (after one at least).</summary>
    protected static async Task<GroupLogPage> ReadPageAsync(DbDataReader reader, int maxCount, int maxBytes, CancellationToken cancellationToken)
    {
        var entries = new List<LogEntry>();
        long bytes = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var cost = (long)reader.GetInt32(3) + GroupLogPage.EntryOverhead;
            if (entries.Count == maxCount || (entries.Count > 0 && bytes + cost > maxBytes))
            {
                return new GroupLogPage(entries, More: true);
            }

            entries.Add(ReadEntry(reader));
            bytes += cost;
        }

        return new GroupLogPage(entries, More: false);
    }

    /// <summary>The one entry a query of <see cref="EntryColumns"/> found, if it found one.</summary>
    protected static async Task<LogEntry?> ReadEntryAsync(DbDataReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadEntry(reader) : null;

    /// <summary>Reads (index, size) rows, oldest first.</summary>
    protected static async Task<IReadOnlyList<KeptEntry>> ReadKeptAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var kept = new List<KeptEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            kept.Add(new KeptEntry(checked((ulong)reader.GetInt64(0)), reader.GetInt32(1)));
        }

        return kept;
    }

    private static LogEntry ReadEntry(DbDataReader reader) => new(
        checked((ulong)reader.GetInt64(0)),
        checked((ulong)reader.GetInt64(1)),
        (LogEntryKind)reader.GetInt32(2),
        (byte[])reader.GetValue(4));
}
