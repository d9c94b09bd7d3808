using System.Data.Common;
using System.Threading.Channels;
using Ockam.Grains.Contracts;
using Ockam.Grains.GroupLog;

namespace Ockam.Silo.Storage;

/// <summary>
/// The one writer of a database's group logs: a loop takes every write pending (up to <see cref="MaxBatch"/> writes and
/// <see cref="MaxBatchBytes"/>), applies them in one transaction, and only then completes each caller's task. Writers
/// of logs never collide (there is one), and the cost of a commit (its flush to disk) is shared by everything that
/// arrived meanwhile, from every room and topic of the silo.
/// </summary>
internal abstract class GroupCommitLogStore : IGroupLogStore, IAsyncDisposable, IDisposable
{
    /// <summary>Writes per transaction at most.</summary>
    public const int MaxBatch = 4096;

    /// <summary>Entry bytes per transaction at most (a single larger write goes alone).</summary>
    public const int MaxBatchBytes = 16 * 1024 * 1024;

    /// <summary>The columns an entry is read from, in the order <see cref="ReadEntryAsync"/> takes them.</summary>
    protected const string EntryColumns = "LogIndex, Epoch, Kind, Size, Bytes";

    private readonly Channel<GroupLogWrite> pending = Channel.CreateUnbounded<GroupLogWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task> writer;

    protected GroupCommitLogStore(string serviceId)
    {
        ServiceId = serviceId;
        writer = new(() => Task.Run(WriteLoopAsync));
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
        _ = writer.Value;
        ObjectDisposedException.ThrowIf(!pending.Writer.TryWrite(write), this);
        await write.Done.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public abstract Task<GroupLogPage> ReadAsync(string group, ulong afterIndex, int maxCount, int maxBytes, CancellationToken cancellationToken);

    public abstract Task<LogEntry?> FindCommitAsync(string group, ulong epoch, CancellationToken cancellationToken);

    public abstract Task<LogEntry?> FindRemovalAsync(string group, string identifier, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<KeptEntry>> ListAsync(string group, CancellationToken cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // What is queued is still written: its callers wait for it.
        pending.Writer.TryComplete();
        if (writer.IsValueCreated)
        {
            await writer.Value.ConfigureAwait(false);
        }

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

    private async Task WriteLoopAsync()
    {
        var batch = new List<GroupLogWrite>();
        while (await pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            long bytes = 0;
            while (batch.Count < MaxBatch && bytes < MaxBatchBytes && pending.Reader.TryRead(out var write))
            {
                batch.Add(write);
                bytes += write.Bytes;
            }

            try
            {
                await WriteBatchAsync(batch, CancellationToken.None).ConfigureAwait(false);
                batch.ForEach(w => w.Complete());
            }
            catch (Exception e)
            {
                // Nothing of the batch was committed: each caller hears so (its Delivery Service refuses the entry).
                batch.ForEach(w => w.Fail(e));
            }
        }
    }
}
