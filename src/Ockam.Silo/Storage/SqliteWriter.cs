using Microsoft.Data.Sqlite;

namespace Ockam.Silo.Storage;

/// <summary>
/// A store's one writing connection to the silo's SQLite file, kept between its group commits. It says its own flush
/// setting when it opens (a pooled connection may have been another store's, with another setting), and it is dropped
/// after a transaction fails, whatever state the failure left it in: a COMMIT that fails (a full disk, an I/O error)
/// after SQLite rolled back on its own can leave the driver's idea of the transaction and SQLite's apart, and the next
/// batch should not inherit that.
/// </summary>
internal sealed class SqliteWriter(string path, SqliteWriter.Flush flush) : IAsyncDisposable
{
    private SqliteConnection? connection;

    /// <summary>When a commit reaches the disk.</summary>
    public enum Flush
    {
        /// <summary>
        /// At every commit (<c>synchronous = FULL</c>): what was acknowledged survives a power loss too. For grain states,
        /// the authority's rows (an identity's rotation, a used token, a revocation must never come back) and group logs.
        /// </summary>
        EveryCommit,

        /// <summary>
        /// At checkpoints (<c>synchronous = NORMAL</c>, the file being in WAL mode): a committed batch is in the WAL file
        /// when its callers hear of it, so it survives the silo's process being killed, and the file is never corrupted;
        /// only a power loss (or a kernel crash) may take back the last commits before a checkpoint.
        /// </summary>
        AtCheckpoints,
    }

    /// <summary>Runs <paramref name="transaction"/> (a whole transaction) on the connection; after a failure, the next gets a new one.</summary>
    public async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> transaction, CancellationToken cancellationToken)
    {
        var current = connection ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await transaction(current).ConfigureAwait(false);
        }
        catch
        {
            connection = null;
            try
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }
            catch (SqliteException)
            {
                // Closing rolls back what the driver believes open, which may fail the same way: what the transaction
                // threw goes on to its callers.
            }

            throw;
        }
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public Task RunAsync(Func<SqliteConnection, Task> transaction, CancellationToken cancellationToken) =>
        RunAsync(async current =>
        {
            await transaction(current).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = await SqliteRows.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var pragma = opened.CreateCommand();
            pragma.CommandText = flush == Flush.EveryCommit ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return opened;
        }
        catch
        {
            await opened.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
