using Npgsql;
using Ockam.Grains.Contracts;
using Ockam.Grains.GroupLog;

namespace Ockam.Silo.Storage;

/// <summary>
/// Group logs in PostgreSQL (tables GroupLog and GroupLogRemoval, from Schema/postgresql.sql). Each silo has one writer
/// (the group-commit loop), which appends and trims a whole batch with one statement each over arrays; reads take
/// pooled connections. Silos of a cluster write different groups (a grain lives on one silo), so their writers touch
/// different rows.
/// </summary>
internal sealed class PostgresGroupLogStore(string connectionString, string serviceId) : GroupCommitLogStore(serviceId)
{
    private const string Columns = "LogIndex, Epoch, Kind::integer, Size, Bytes";

    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);

    public override async Task<GroupLogPage> ReadAsync(string group, ulong afterIndex, int maxCount, int maxBytes, CancellationToken cancellationToken)
    {
        await using var command = Query(group, $"""
            SELECT {Columns} FROM GroupLog
             WHERE ServiceId = @service AND GroupId = @group AND LogIndex > @after
             ORDER BY LogIndex
             LIMIT @limit
            """);
        command.Parameters.AddWithValue("after", checked((long)afterIndex));
        command.Parameters.AddWithValue("limit", maxCount + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadPageAsync(reader, maxCount, maxBytes, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<LogEntry?> FindCommitAsync(string group, ulong epoch, CancellationToken cancellationToken)
    {
        await using var command = Query(group, $"""
            SELECT {Columns} FROM GroupLog
             WHERE ServiceId = @service AND GroupId = @group AND Kind = {(int)LogEntryKind.Commit} AND Epoch = @epoch
             ORDER BY LogIndex DESC
             LIMIT 1
            """);
        command.Parameters.AddWithValue("epoch", checked((long)epoch));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadEntryAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<LogEntry?> FindRemovalAsync(string group, string identifier, CancellationToken cancellationToken)
    {
        await using var command = Query(group, """
            SELECT g.LogIndex, g.Epoch, g.Kind::integer, g.Size, g.Bytes FROM GroupLogRemoval r
              JOIN GroupLog g ON g.ServiceId = r.ServiceId AND g.GroupId = r.GroupId AND g.LogIndex = r.LogIndex
             WHERE r.ServiceId = @service AND r.GroupId = @group AND r.Identifier = @identifier
             ORDER BY r.LogIndex DESC
             LIMIT 1
            """);
        command.Parameters.AddWithValue("identifier", identifier);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadEntryAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<IReadOnlyList<KeptEntry>> ListAsync(string group, CancellationToken cancellationToken)
    {
        await using var command = Query(group, "SELECT LogIndex, Size FROM GroupLog WHERE ServiceId = @service AND GroupId = @group ORDER BY LogIndex");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadKeptAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task WriteBatchAsync(IReadOnlyList<GroupLogWrite> batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var entries = batch.SelectMany(w => w.Entries.Select(e => (w.Group, Entry: e))).ToArray();
        if (entries.Length > 0)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO GroupLog (ServiceId, GroupId, LogIndex, Epoch, Kind, Size, Bytes)
                SELECT @service, g, i, e, k, s, b FROM unnest(@groups, @indices, @epochs, @kinds, @sizes, @bytes) AS t(g, i, e, k, s, b)
                """, connection, transaction);
            insert.Parameters.AddWithValue("service", ServiceId);
            insert.Parameters.AddWithValue("groups", entries.Select(x => x.Group).ToArray());
            insert.Parameters.AddWithValue("indices", entries.Select(x => checked((long)x.Entry.Index)).ToArray());
            insert.Parameters.AddWithValue("epochs", entries.Select(x => checked((long)x.Entry.Epoch)).ToArray());
            insert.Parameters.AddWithValue("kinds", entries.Select(x => (short)x.Entry.Kind).ToArray());
            insert.Parameters.AddWithValue("sizes", entries.Select(x => x.Entry.Bytes.Length).ToArray());
            insert.Parameters.AddWithValue("bytes", entries.Select(x => x.Entry.Bytes).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var removals = entries.SelectMany(x => x.Entry.Removed.Distinct().Select(r => (x.Group, Identifier: r, x.Entry.Index))).ToArray();
        if (removals.Length > 0)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO GroupLogRemoval (ServiceId, GroupId, Identifier, LogIndex)
                SELECT @service, g, r, i FROM unnest(@groups, @identifiers, @indices) AS t(g, r, i)
                """, connection, transaction);
            insert.Parameters.AddWithValue("service", ServiceId);
            insert.Parameters.AddWithValue("groups", removals.Select(x => x.Group).ToArray());
            insert.Parameters.AddWithValue("identifiers", removals.Select(x => x.Identifier).ToArray());
            insert.Parameters.AddWithValue("indices", removals.Select(x => checked((long)x.Index)).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var trim = new NpgsqlCommand("""
            DELETE FROM GroupLog l USING unnest(@groups, @keeps) AS t(g, k)
             WHERE l.ServiceId = @service AND l.GroupId = t.g AND l.LogIndex < t.k;
            DELETE FROM GroupLogRemoval l USING unnest(@groups, @keeps) AS t(g, k)
             WHERE l.ServiceId = @service AND l.GroupId = t.g AND l.LogIndex < t.k;
            """, connection, transaction))
        {
            trim.Parameters.AddWithValue("service", ServiceId);
            trim.Parameters.AddWithValue("groups", batch.Select(w => w.Group).ToArray());
            trim.Parameters.AddWithValue("keeps", batch.Select(w => checked((long)w.KeepFrom)).ToArray());
            await trim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask DisposeCoreAsync() => dataSource.DisposeAsync();

    private NpgsqlCommand Query(string group, string text)
    {
        var command = dataSource.CreateCommand(text);
        command.Parameters.AddWithValue("service", ServiceId);
        command.Parameters.AddWithValue("group", group);
        return command;
    }
}
