using Microsoft.Data.Sqlite;
using Ockam.Grains.Contracts;
using Ockam.Grains.GroupLog;

namespace Ockam.Silo.Storage;

/// <summary>
/// Group logs in the silo's SQLite file (tables GroupLog and GroupLogRemoval, from Schema/sqlite.sql). One connection
/// writes, in the group-commit loop; reads take pooled connections of their own (WAL lets them run beside the writer).
/// Every connection waits on a locked database inside SQLite (busy_timeout), as the mail store's do, rather than in the
/// driver's 150 ms retry sleep.
/// </summary>
internal sealed class SqliteGroupLogStore(string path, string serviceId, SqliteWriteGates gates) : GroupCommitLogStore(serviceId)
{
    private readonly SqliteWriteGate gate = gates.For(path);
    private readonly SqliteWriter writer = new(path, SqliteWriter.Flush.EveryCommit);

    public override async Task<GroupLogPage> ReadAsync(string group, ulong afterIndex, int maxCount, int maxBytes, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Query(connection, group, $"""
            SELECT {EntryColumns} FROM GroupLog
             WHERE ServiceId = $service AND GroupId = $group AND LogIndex > $after
             ORDER BY LogIndex
             LIMIT $limit
            """);
        command.Parameters.AddWithValue("$after", checked((long)afterIndex));
        command.Parameters.AddWithValue("$limit", maxCount + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadPageAsync(reader, maxCount, maxBytes, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<LogEntry?> FindCommitAsync(string group, ulong epoch, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Query(connection, group, $"""
            SELECT {EntryColumns} FROM GroupLog
             WHERE ServiceId = $service AND GroupId = $group AND Kind = {(int)LogEntryKind.Commit} AND Epoch = $epoch
             ORDER BY LogIndex DESC
             LIMIT 1
            """);
        command.Parameters.AddWithValue("$epoch", checked((long)epoch));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadEntryAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<LogEntry?> FindRemovalAsync(string group, string identifier, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Query(connection, group, """
            SELECT g.LogIndex, g.Epoch, g.Kind, g.Size, g.Bytes FROM GroupLogRemoval r
              JOIN GroupLog g ON g.ServiceId = r.ServiceId AND g.GroupId = r.GroupId AND g.LogIndex = r.LogIndex
             WHERE r.ServiceId = $service AND r.GroupId = $group AND r.Identifier = $identifier
             ORDER BY r.LogIndex DESC
             LIMIT 1
            """);
        command.Parameters.AddWithValue("$identifier", identifier);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadEntryAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<IReadOnlyList<KeptEntry>> ListAsync(string group, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Query(connection, group, "SELECT LogIndex, Size FROM GroupLog WHERE ServiceId = $service AND GroupId = $group ORDER BY LogIndex");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadKeptAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    protected override Task WriteBatchAsync(IReadOnlyList<GroupLogWrite> batch, CancellationToken cancellationToken) =>
        gate.WriteAsync(() => writer.RunAsync(connection => WriteInTurnAsync(connection, batch, cancellationToken), cancellationToken), cancellationToken);

    /// <summary>The batch's transaction, in the file's write turn (<see cref="SqliteWriteGate"/>).</summary>
    private async Task WriteInTurnAsync(SqliteConnection connection, IReadOnlyList<GroupLogWrite> batch, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO GroupLog (ServiceId, GroupId, LogIndex, Epoch, Kind, Size, Bytes) VALUES ($service, $group, $index, $epoch, $kind, $size, $bytes)";
        var insertService = insert.Parameters.Add("$service", SqliteType.Text);
        var insertGroup = insert.Parameters.Add("$group", SqliteType.Text);
        var index = insert.Parameters.Add("$index", SqliteType.Integer);
        var epoch = insert.Parameters.Add("$epoch", SqliteType.Integer);
        var kind = insert.Parameters.Add("$kind", SqliteType.Integer);
        var size = insert.Parameters.Add("$size", SqliteType.Integer);
        var bytes = insert.Parameters.Add("$bytes", SqliteType.Blob);

        await using var removal = connection.CreateCommand();
        removal.Transaction = transaction;
        removal.CommandText = "INSERT INTO GroupLogRemoval (ServiceId, GroupId, Identifier, LogIndex) VALUES ($service, $group, $identifier, $index)";
        var removalService = removal.Parameters.Add("$service", SqliteType.Text);
        var removalGroup = removal.Parameters.Add("$group", SqliteType.Text);
        var identifier = removal.Parameters.Add("$identifier", SqliteType.Text);
        var removalIndex = removal.Parameters.Add("$index", SqliteType.Integer);

        await using var trim = connection.CreateCommand();
        trim.Transaction = transaction;
        trim.CommandText = """
            DELETE FROM GroupLog WHERE ServiceId = $service AND GroupId = $group AND LogIndex < $keep;
            DELETE FROM GroupLogRemoval WHERE ServiceId = $service AND GroupId = $group AND LogIndex < $keep;
            """;
        var trimService = trim.Parameters.Add("$service", SqliteType.Text);
        var trimGroup = trim.Parameters.Add("$group", SqliteType.Text);
        var keep = trim.Parameters.Add("$keep", SqliteType.Integer);

        insertService.Value = removalService.Value = trimService.Value = ServiceId;
        foreach (var write in batch)
        {
            insertGroup.Value = removalGroup.Value = trimGroup.Value = write.Group;
            foreach (var entry in write.Entries)
            {
                index.Value = removalIndex.Value = checked((long)entry.Index);
                epoch.Value = checked((long)entry.Epoch);
                kind.Value = (int)entry.Kind;
                size.Value = entry.Bytes.Length;
                bytes.Value = entry.Bytes;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                foreach (var removed in entry.Removed.Distinct())
                {
                    identifier.Value = removed;
                    await removal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            keep.Value = checked((long)write.KeepFrom);
            await trim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask DisposeCoreAsync() => writer.DisposeAsync();

    private SqliteCommand Query(SqliteConnection connection, string group, string text)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        command.Parameters.AddWithValue("$service", ServiceId);
        command.Parameters.AddWithValue("$group", group);
        return command;
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => SqliteRows.OpenAsync(path, cancellationToken);
}
