using Microsoft.Data.Sqlite;
using Npgsql;
using Ockam.Silo.Configuration;

namespace Ockam.Silo.Storage;

/// <summary>
/// Applies the project's own schema scripts (Storage/Schema, embedded) before Orleans starts: the
/// ADO.NET packages ship none. The scripts are idempotent, so this runs at every start.
/// </summary>
internal static class SchemaInstaller
{
    public static async Task InstallAsync(OckamOptions options, CancellationToken cancellationToken)
    {
        if (options.Storage == StorageKind.Sqlite)
        {
            await InstallSqliteAsync(options.SqlitePath, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await InstallPostgreSqlAsync(options.ConnectionString!, cancellationToken).ConfigureAwait(false);
        }
    }

    public static string SqliteConnectionString(string path) => new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();

    private static async Task InstallSqliteAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var connection = new SqliteConnection(SqliteConnectionString(path));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        // WAL lets readers run beside the one writer; it is a property of the file, set once.
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Script("sqlite.sql");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task InstallPostgreSqlAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Silos starting together take turns: concurrent CREATE ... IF NOT EXISTS can still collide.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7458300191)", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand(Script("postgresql.sql"), connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Script(string name)
    {
        using var stream = typeof(SchemaInstaller).Assembly.GetManifestResourceStream($"Ockam.Silo.Storage.Schema.{name}")
            ?? throw new InvalidOperationException($"schema script {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
