using Microsoft.Data.Sqlite;
using Ockam.Grains.Mail;

namespace Ockam.Silo.Storage;

/// <summary>
/// Mailboxes in the silo's SQLite file (table RelayMail, from Schema/sqlite.sql). One connection writes, in the
/// group-commit loop; reads take pooled connections of their own (WAL lets them run beside the writer). Every
/// connection waits on a locked database inside SQLite (busy_timeout) rather than in the driver's 150 ms retry sleep.
/// </summary>
internal sealed class SqliteMailStore(string path, string serviceId, SqliteWriteGates gates) : GroupCommitMailStore(serviceId)
{
    private const string Columns = "Sequence, Priority, Origin, Sender, Size, Envelope";

    private readonly SqliteWriteGate gate = gates.For(path);

    /// <summary>
    /// Commits without waiting for the disk (what that keeps and what a power loss may take: <see cref="SqliteWriter.Flush.AtCheckpoints"/>).
    /// One flush per batch was most of a relayed message's latency (a few milliseconds here, once on store and once on
    /// acknowledgement, and every other relay's batch waiting behind it).
    /// </summary>
    private readonly SqliteWriter writer = new(path, SqliteWriter.Flush.AtCheckpoints);

    public override async Task<MailPage> ReadAsync(string relay, MailPosition after, int maxCount, int maxBytes, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM RelayMail
             WHERE ServiceId = $service AND Relay = $relay AND (Priority < $priority OR (Priority = $priority AND Sequence > $sequence))
             ORDER BY Priority DESC, Sequence
             LIMIT $limit
            """;
        command.Parameters.AddWithValue("$service", ServiceId);
        command.Parameters.AddWithValue("$relay", relay);
        command.Parameters.AddWithValue("$priority", after.Priority);
        command.Parameters.AddWithValue("$sequence", checked((long)after.Sequence));
        command.Parameters.AddWithValue("$limit", maxCount + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadPageAsync(reader, maxCount, maxBytes, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<MailboxSize> MeasureAsync(string relay, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(sum(Size), 0) FROM RelayMail WHERE ServiceId = $service AND Relay = $relay";
        command.Parameters.AddWithValue("$service", ServiceId);
        command.Parameters.AddWithValue("$relay", relay);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new MailboxSize(checked((int)reader.GetInt64(0)), reader.GetInt64(1));
    }

    protected override Task WriteBatchAsync(IReadOnlyList<MailWrite> batch, CancellationToken cancellationToken) =>
        gate.WriteAsync(() => writer.RunAsync(connection => WriteInTurnAsync(connection, batch, cancellationToken), cancellationToken), cancellationToken);

    /// <summary>The batch's transaction, in the file's write turn (<see cref="SqliteWriteGate"/>).</summary>
    private async Task WriteInTurnAsync(SqliteConnection connection, IReadOnlyList<MailWrite> batch, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO RelayMail (ServiceId, Relay, {Columns}) VALUES ($service, $relay, $sequence, $priority, $origin, $sender, $size, $envelope)";
        var insertService = insert.Parameters.Add("$service", SqliteType.Text);
        var insertRelay = insert.Parameters.Add("$relay", SqliteType.Text);
        var sequence = insert.Parameters.Add("$sequence", SqliteType.Integer);
        var priority = insert.Parameters.Add("$priority", SqliteType.Integer);
        var origin = insert.Parameters.Add("$origin", SqliteType.Integer);
        var sender = insert.Parameters.Add("$sender", SqliteType.Text);
        var size = insert.Parameters.Add("$size", SqliteType.Integer);
        var envelope = insert.Parameters.Add("$envelope", SqliteType.Blob);

        await using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM RelayMail WHERE ServiceId = $service AND Relay = $relay AND Sequence = $sequence RETURNING Size";
        var deleteService = delete.Parameters.Add("$service", SqliteType.Text);
        var deleteRelay = delete.Parameters.Add("$relay", SqliteType.Text);
        var deleted = delete.Parameters.Add("$sequence", SqliteType.Integer);

        insertService.Value = deleteService.Value = ServiceId;
        foreach (var write in batch)
        {
            insertRelay.Value = write.Relay;
            foreach (var message in write.Append)
            {
                sequence.Value = checked((long)message.Sequence);
                priority.Value = (int)message.Priority;
                origin.Value = (int)message.Origin;
                sender.Value = (object?)message.Sender ?? DBNull.Value;
                size.Value = message.Envelope.Length;
                envelope.Value = message.Envelope;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (write.Delete.Count == 0)
            {
                continue;
            }

            deleteRelay.Value = write.Relay;
            var removed = MailboxSize.Empty;
            foreach (var acknowledged in write.Delete)
            {
                deleted.Value = checked((long)acknowledged);
                if (await delete.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long bytes)
                {
                    removed = new MailboxSize(removed.Count + 1, removed.Bytes + bytes);
                }
            }

            write.Deleted = removed;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask DisposeCoreAsync() => writer.DisposeAsync();

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => SqliteRows.OpenAsync(path, cancellationToken);
}
