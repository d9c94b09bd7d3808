using System.Threading.Channels;
using Ockam.Silo.Telemetry;

namespace Ockam.Silo.Storage;

/// <summary>One caller's change waiting for a <see cref="GroupCommit{TWrite}"/>: completed once the transaction holding it has committed.</summary>
internal interface IGroupCommitWrite
{
    /// <summary>What the write adds to a batch, for the batch's bound in bytes.</summary>
    long Bytes { get; }

    /// <summary>Rows the write touches, for the batch's bound in rows.</summary>
    int Rows { get; }

    void Complete();

    void Fail(Exception exception);
}

/// <summary>
/// The one writer of a database's rows of one kind: a loop takes every write pending (up to a bound in rows and one in
/// bytes; a single larger write goes alone), applies them in one transaction, and only then completes each caller's task. Writers
/// never collide (there is one per silo), and the cost of a commit (its flush to disk) is shared by everything that
/// arrived meanwhile. A batch that fails is applied again one write at a time, so that one write that cannot be
/// applied fails alone.
/// </summary>
internal sealed class GroupCommit<TWrite> : IAsyncDisposable
    where TWrite : IGroupCommitWrite
{
    private readonly Channel<TWrite> pending = Channel.CreateUnbounded<TWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TWrite>, Task> commit;
    private readonly Lazy<Task> loop;
    private readonly int maxRows;
    private readonly long maxBytes;

    /// <param name="commit">Applies a batch in one transaction; throws if nothing was committed.</param>
    /// <param name="maxRows">Rows per transaction at most.</param>
    /// <param name="maxBytes">Bytes per transaction at most.</param>
    public GroupCommit(Func<IReadOnlyList<TWrite>, Task> commit, int maxRows, long maxBytes)
    {
        this.commit = commit;
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
        loop = new(() => Task.Run(WriteLoopAsync));
    }

    /// <summary>Queues <paramref name="write"/>; it completes (or fails) once its transaction has committed (or not).</summary>
    public void Enqueue(TWrite write)
    {
        _ = loop.Value;
        ObjectDisposedException.ThrowIf(!pending.Writer.TryWrite(write), this);
    }

    public async ValueTask DisposeAsync()
    {
        // What is queued is still written: its callers wait for it.
        pending.Writer.TryComplete();
        if (loop.IsValueCreated)
        {
            await loop.Value.ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<TWrite>();
        while (await pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            long bytes = 0;
            var rows = 0;
            while (rows < maxRows && bytes < maxBytes && pending.Reader.TryRead(out var write))
            {
                batch.Add(write);
                bytes += write.Bytes;
                rows += write.Rows;
            }

            if (await TryCommitAsync(batch).ConfigureAwait(false) is { } failure)
            {
                if (batch.Count == 1)
                {
                    batch[0].Fail(failure);
                    continue;
                }

                foreach (var write in batch)
                {
                    if (await TryCommitAsync([write]).ConfigureAwait(false) is { } alone)
                    {
                        write.Fail(alone);
                    }
                }
            }
        }
    }

    /// <summary>Commits <paramref name="batch"/> and completes its writes; the failure if nothing was committed.</summary>
    private async Task<Exception?> TryCommitAsync(List<TWrite> batch)
    {
        try
        {
            await commit(batch).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return e;
        }

        foreach (var write in batch)
        {
            write.Complete();
        }

        // After the writers heard, and apart from the commit: a metrics listener that throws (its exception reaches the
        // caller of Record) must neither make a committed batch look failed, to be written again, nor stop this loop.
        try
        {
            SiloTelemetry.StorageCommitWrites.Record(batch.Count, new KeyValuePair<string, object?>("ockam.kind", typeof(TWrite).Name));
        }
        catch (Exception)
        {
        }

        return null;
    }
}
