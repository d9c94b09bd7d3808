using Microsoft.Data.Sqlite;

namespace Ockam.Silo.Storage;

/// <summary>How the row stores open the silo's SQLite file.</summary>
internal static class SqliteRows
{
    /// <summary>
    /// How long a statement waits, inside SQLite, for another connection's transaction (Orleans' grain states share
    /// the file): without it, Microsoft.Data.Sqlite answers a busy file by sleeping 150 ms and retrying.
    /// </summary>
    private const int BusyTimeoutMilliseconds = 30_000;

    /// <summary>A connection to the file at <paramref name="path"/> that waits for a busy file rather than sleeping.</summary>
    public static async Task<SqliteConnection> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(SchemaInstaller.SqliteConnectionString(path));
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
}
