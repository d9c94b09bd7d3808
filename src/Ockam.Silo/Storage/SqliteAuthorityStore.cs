using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Ockam.Silo.Storage;

/// <summary>
/// Authorities' rows in the silo's SQLite file. One connection writes, in the group-commit loop; reads take pooled
/// connections of their own (WAL lets them run beside the writer). Every connection waits on a locked database inside
/// SQLite (busy_timeout) rather than in the driver's 150 ms retry sleep.
/// </summary>
internal sealed class SqliteAuthorityStore(string path, string serviceId) : AuthorityStore(serviceId, lockRows: false)
{
    /// <summary>How long a statement waits for another writer of the file (grain storage, the mail writer) before it fails.</summary>
    private const int BusyTimeoutMilliseconds = 30_000;

    private readonly string connectionString = SchemaInstaller.SqliteConnectionString(path);
    private SqliteConnection? writer;

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds};";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override async Task<DbConnection> WriterAsync(CancellationToken cancellationToken) =>
        writer ??= (SqliteConnection)await OpenAsync(cancellationToken).ConfigureAwait(false);

    protected override ValueTask ReleaseWriterAsync(DbConnection connection) => ValueTask.CompletedTask;

    protected override async ValueTask DisposeCoreAsync()
    {
        if (writer is not null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
