using Npgsql;
using NpgsqlTypes;
using Ockam.Grains.Mail;

namespace Ockam.Silo.Storage;

/// <summary>
/// Mailboxes in PostgreSQL (table RelayMail, from Schema/postgresql.sql). Each silo has one writer (the group-commit
/// loop), which stores and deletes a whole batch with one statement each over arrays; reads take pooled connections.
/// Silos of a cluster write different relays (a grain lives on one silo), so their writers touch different rows.
/// </summary>
internal sealed class PostgresMailStore(string connectionString, string serviceId) : GroupCommitMailStore(serviceId)
{
    private const string Columns = "Sequence, Priority, Origin, Sender, Size, Envelope";

    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);

    public override async Task<MailPage> ReadAsync(string relay, MailPosition after, int maxCount, int maxBytes, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT Sequence, Priority::integer, Origin::integer, Sender, Size, Envelope FROM RelayMail
             WHERE ServiceId = @service AND Relay = @relay AND (Priority < @priority OR (Priority = @priority AND Sequence > @sequence))
             ORDER BY Priority DESC, Sequence
             LIMIT @limit
            """);
        command.Parameters.AddWithValue("service", ServiceId);
        command.Parameters.AddWithValue("relay", relay);
        command.Parameters.AddWithValue("priority", after.Priority);
        command.Parameters.AddWithValue("sequence", checked((long)after.Sequence));
        command.Parameters.AddWithValue("limit", maxCount + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadPageAsync(reader, maxCount, maxBytes, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<MailboxSize> MeasureAsync(string relay, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*), coalesce(sum(Size), 0)::bigint FROM RelayMail WHERE ServiceId = @service AND Relay = @relay");
        command.Parameters.AddWithValue("service", ServiceId);
        command.Parameters.AddWithValue("relay", relay);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new MailboxSize(checked((int)reader.GetInt64(0)), reader.GetInt64(1));
    }

    protected override async Task WriteBatchAsync(IReadOnlyList<MailWrite> batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var appends = batch.SelectMany(w => w.Append.Select(m => (w.Relay, Message: m))).ToArray();
        if (appends.Length > 0)
        {
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO RelayMail (ServiceId, Relay, {Columns})
                SELECT @service, r, q, p, o, s, z, e FROM unnest(@relays, @sequences, @priorities, @origins, @senders, @sizes, @envelopes) AS t(r, q, p, o, s, z, e)
                """, connection, transaction);
            insert.Parameters.AddWithValue("service", ServiceId);
            insert.Parameters.AddWithValue("relays", appends.Select(a => a.Relay).ToArray());
            insert.Parameters.AddWithValue("sequences", appends.Select(a => checked((long)a.Message.Sequence)).ToArray());
            insert.Parameters.AddWithValue("priorities", appends.Select(a => (short)a.Message.Priority).ToArray());
            insert.Parameters.AddWithValue("origins", appends.Select(a => (short)a.Message.Origin).ToArray());
            insert.Parameters.Add(new NpgsqlParameter("senders", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = appends.Select(a => a.Message.Sender).ToArray() });
            insert.Parameters.AddWithValue("sizes", appends.Select(a => a.Message.Envelope.Length).ToArray());
            insert.Parameters.AddWithValue("envelopes", appends.Select(a => a.Message.Envelope).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var deletions = batch.Where(w => w.Delete.Count > 0).ToArray();
        if (deletions.Length > 0)
        {
            // A relay has one activation, which waits for each write: no two deletions of a batch name the same rows.
            var byKey = deletions.SelectMany(w => w.Delete.Select(q => (Key: (w.Relay, Sequence: checked((long)q)), Write: w)))
                .ToDictionary(x => x.Key, x => x.Write);
            await using var delete = new NpgsqlCommand("""
                DELETE FROM RelayMail m USING unnest(@relays, @sequences) AS t(r, q)
                 WHERE m.ServiceId = @service AND m.Relay = t.r AND m.Sequence = t.q
                RETURNING m.Relay, m.Sequence, m.Size
                """, connection, transaction);
            delete.Parameters.AddWithValue("service", ServiceId);
            delete.Parameters.AddWithValue("relays", byKey.Keys.Select(k => k.Relay).ToArray());
            delete.Parameters.AddWithValue("sequences", byKey.Keys.Select(k => k.Sequence).ToArray());
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var write = byKey[(reader.GetString(0), reader.GetInt64(1))];
                write.Deleted = new MailboxSize(write.Deleted.Count + 1, write.Deleted.Bytes + reader.GetInt32(2));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask DisposeCoreAsync() => dataSource.DisposeAsync();
}
