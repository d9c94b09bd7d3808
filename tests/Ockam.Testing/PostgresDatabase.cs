using Npgsql;

namespace Ockam.Testing;

/// <summary>
/// A fresh database on the PostgreSQL server that test.sh starts (OCKAM_TEST_POSTGRES), dropped afterwards.
/// Without that server the test fails, saying so: it is never skipped.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string server;
    private readonly string name;

    private PostgresDatabase(string server, string name, string connectionString) => (this.server, this.name, ConnectionString) = (server, name, connectionString);

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable("OCKAM_TEST_POSTGRES")
            ?? throw new InvalidOperationException("OCKAM_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts PostgreSQL");
        var name = "ockam_" + Guid.NewGuid().ToString("n");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new PostgresDatabase(server, name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString());
    }

    /// <summary>Every byte stored in the database's grain table, for scanning.</summary>
    public async Task<long> CountRowsAsync(string table)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
