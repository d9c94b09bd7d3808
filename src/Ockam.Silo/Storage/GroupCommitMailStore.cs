using Ockam.Grains.Contracts;
using Ockam.Grains.Mail;

namespace Ockam.Silo.Storage;

/// <summary>
/// The mailboxes of a database, written through one <see cref="GroupCommit{TWrite}"/> (up to <see cref="MaxBatch"/> rows
/// and <see cref="MaxBatchBytes"/> per transaction): writers never collide, no write waits on another database
/// writer's retry sleep, and the cost of a commit (its flush to disk) is shared by everything that arrived meanwhile.
/// </summary>
internal abstract class GroupCommitMailStore : IMailStore, IAsyncDisposable, IDisposable
{
    /// <summary>Rows per transaction at most (a single larger write goes alone).</summary>
    public const int MaxBatch = 4096;

    /// <summary>Envelope bytes per transaction at most (a single larger write goes alone).</summary>
    public const int MaxBatchBytes = 16 * 1024 * 1024;

    private readonly GroupCommit<MailWrite> writer;

    protected GroupCommitMailStore(string serviceId)
    {
        ServiceId = serviceId;
        writer = new(batch => WriteBatchAsync(batch, CancellationToken.None), MaxBatch, MaxBatchBytes);
    }

    /// <summary>Names this deployment's rows, as it names its grain states.</summary>
    protected string ServiceId { get; }

    public async Task AppendAsync(string relay, IReadOnlyList<RelayedMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count > 0)
        {
            await EnqueueAsync(MailWrite.Appending(relay, messages), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<MailboxSize> DeleteAsync(string relay, IReadOnlyCollection<ulong> sequences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return sequences.Count == 0 ? Task.FromResult(MailboxSize.Empty) : EnqueueAsync(MailWrite.Deleting(relay, sequences), cancellationToken);
    }

    public abstract Task<MailPage> ReadAsync(string relay, MailPosition after, int maxCount, int maxBytes, CancellationToken cancellationToken);

    public abstract Task<MailboxSize> MeasureAsync(string relay, CancellationToken cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // What is queued is still written: its callers wait for it.
        await writer.DisposeAsync().ConfigureAwait(false);
        await DisposeCoreAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>For a container disposed synchronously (a host's <c>Dispose</c>): the same, waited for.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Applies <paramref name="batch"/> in one transaction, setting each deletion's <see cref="MailWrite.Deleted"/>; throws if nothing was committed.</summary>
    protected abstract Task WriteBatchAsync(IReadOnlyList<MailWrite> batch, CancellationToken cancellationToken);

    protected abstract ValueTask DisposeCoreAsync();

    /// <summary>Reads a page from rows in delivery order: stops at <paramref name="maxCount"/>, or before passing <paramref name="maxBytes"/> (after one at least).</summary>
    protected static async Task<MailPage> ReadPageAsync(System.Data.Common.DbDataReader reader, int maxCount, int maxBytes, CancellationToken cancellationToken)
    {
        var messages = new List<RelayedMessage>();
        long bytes = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var size = reader.GetInt32(4);
            if (messages.Count == maxCount || (messages.Count > 0 && bytes + size > maxBytes))
            {
                return new MailPage(messages, More: true);
            }

            messages.Add(new RelayedMessage(
                checked((ulong)reader.GetInt64(0)),
                checked((byte)reader.GetInt32(1)),
                (byte[])reader.GetValue(5),
                (RelayOrigin)checked((byte)reader.GetInt32(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
            bytes += size;
        }

        return new MailPage(messages, More: false);
    }

    private async Task<MailboxSize> EnqueueAsync(MailWrite write, CancellationToken cancellationToken)
    {
        writer.Enqueue(write);
        return await write.Done.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
