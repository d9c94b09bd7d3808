using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Ockam.Grains.Contracts;
using Ockam.Grains.Groups;
using Ockam.Identity.Mls;
using Ockam.Messaging.Api;
using Ockam.Silo.Configuration;
using Ockam.Silo.Tests.Support;
using Orleans.Storage;

namespace Ockam.Silo.Tests;

/// <summary>
/// A room's log as rows of the silo's database (GroupLog): what survives a restart, that a message writes its row and
/// no grain state, that the bounds in count and bytes still keep exactly the newest entries that fit, and that a log
/// stored before rows (in the grain state) moves into rows.
/// </summary>
public sealed class GroupLogTests : IDisposable
{
    private const int Messages = 40;

    private readonly TempDirectory data = new();
    private readonly List<DsMember> clients = [];

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_rooms_log_survives_a_restart_and_a_message_writes_its_row_and_no_grain_state(StorageKind storage)
    {
        await using var database = storage == StorageKind.PostgreSql ? await PostgresDatabase.CreateAsync() : null;
        var id = GroupId.Room(Guid.NewGuid().ToString("N"));
        var sent = new Dictionary<ulong, byte[]>();
        DsMember alice, bob;
        ulong removal;
        await using (var silo = await RunningSilo.StartAsync(data.Path, storage, database?.ConnectionString))
        {
            (alice, bob) = (await ClientAsync(silo), await ClientAsync(silo));
            var ds = silo.Grains.GetDeliveryService(id);
            sent[await FoundAsync(ds, alice, bob)] = [];
            var before = await GrainStateWritesAsync(database);

            for (var i = 0; i < Messages; i++)
            {
                var message = alice.Encrypt($"reading {i}");
                var result = await ds.SendAsync(alice.Id, message);
                Assert.Equal(DeliveryOutcome.Ok, result.Outcome);
                sent[result.Index] = message;
            }

            // Forty messages later no grain state was written, let alone a bigger one: each message was its own row.
            Assert.Equal(before, await GrainStateWritesAsync(database));
            Assert.Equal(Messages + 1, await CountRowsAsync(database, "GroupLog"));

            var remove = await alice.CommitAsync(new Proposal(new RemoveProposal(new LeafIndex(1))));
            var removed = await ds.CommitAsync(alice.Id, remove.Commit, null);
            Assert.Equal(DeliveryOutcome.Ok, removed.Outcome);
            alice.Group.MergePendingCommit();
            (removal, sent[removed.Index]) = (removed.Index, remove.Commit);
            var after = alice.Encrypt("after bob");
            sent[(await ds.SendAsync(alice.Id, after)).Index] = after;
        }

        await using (var silo = await RunningSilo.StartAsync(data.Path, storage, database?.ConnectionString))
        {
            var ds = silo.Grains.GetDeliveryService(id);

            // Everything logged is read back in pages, in order, byte for byte (the founding commit aside, compared by index).
            var entries = await ReadAllAsync(ds, alice.Id);
            Assert.Equal(sent.Keys.Order(), entries.Select(e => e.Index));
            Assert.All(entries.Skip(1), e => Assert.Equal(sent[e.Index], e.Bytes));
            Assert.Equal(LogEntryKind.Commit, entries[0].Kind);
            Assert.Equal((ulong)sent.Count, (await ds.GetInfoAsync()).MessagesLogged);

            // Bob, removed, still reads the commit that removed him and nothing else.
            var page = await ds.ReadAsync(bob.Id, 0);
            Assert.Equal(DeliveryOutcome.Ok, page.Outcome);
            Assert.Equal([removal], page.Entries.Select(e => e.Index));

            // The next index continues where the log stopped.
            Assert.Equal((ulong)sent.Count + 1, (await ds.SendAsync(alice.Id, alice.Encrypt("next"))).Index);
        }
    }

    [Fact]
    public async Task The_log_keeps_exactly_the_newest_entries_within_its_count_and_byte_bounds_across_a_restart()
    {
        var bounds = new DeliveryServiceOptions { Retention = 8, RetentionBytes = 4096 };
        var id = GroupId.Room(Guid.NewGuid().ToString("N"));
        var sizes = new Dictionary<ulong, int>();
        DsMember alice;
        await using (var silo = await RunningSilo.StartAsync(data.Path, services: s => s.AddSingleton(Options.Create(bounds))))
        {
            (alice, var bob) = (await ClientAsync(silo), await ClientAsync(silo));
            var ds = silo.Grains.GetDeliveryService(id);
            await FoundAsync(ds, alice, bob);
            sizes[1] = (await ds.ReadAsync(alice.Id, 0)).Entries[0].Bytes.Length;

            // Twenty small messages: the count bound keeps the newest eight.
            await SendAsync(ds, alice, sizes, 20, 10);
            await AssertNewestThatFitAsync(ds, alice, sizes, bounds);
            Assert.Equal(bounds.Retention, (await ReadAllAsync(ds, alice.Id)).Count);

            // Three of 1 500 bytes: now the byte bound drops more than the count bound would.
            await SendAsync(ds, alice, sizes, 3, 1500);
            await AssertNewestThatFitAsync(ds, alice, sizes, bounds);
            Assert.InRange((await ReadAllAsync(ds, alice.Id)).Count, 2, bounds.Retention - 1);
        }

        // A new activation counts the bounds on the rows it finds: the next entry drops only what no longer fits.
        await using (var silo = await RunningSilo.StartAsync(data.Path, services: s => s.AddSingleton(Options.Create(bounds))))
        {
            var ds = silo.Grains.GetDeliveryService(id);
            await SendAsync(ds, alice, sizes, 1, 10);
            await AssertNewestThatFitAsync(ds, alice, sizes, bounds);
            await SendAsync(ds, alice, sizes, 1, 1500);
            await AssertNewestThatFitAsync(ds, alice, sizes, bounds);

            // What the log no longer keeps is deleted, not only hidden.
            Assert.Equal((await ReadAllAsync(ds, alice.Id)).Count, await CountRowsAsync(null, "GroupLog"));
        }
    }

    [Fact]
    public async Task A_log_stored_in_the_grain_state_before_rows_moves_into_rows_once()
    {
        var id = GroupId.Room(Guid.NewGuid().ToString("N"));
        DsMember alice;
        byte[] add;
        await using (var silo = await RunningSilo.StartAsync(data.Path))
        {
            (alice, var bob) = (await ClientAsync(silo), await ClientAsync(silo));
            await FoundAsync(silo.Grains.GetDeliveryService(id), alice, bob);
            add = (await silo.Grains.GetDeliveryService(id).ReadAsync(alice.Id, 0)).Entries[0].Bytes;
        }

        // As a silo before rows left it: no rows, the log (a commit and two messages) in the grain state.
        await ExecuteSqliteAsync("DELETE FROM GroupLog; DELETE FROM GroupLogRemoval;");
        byte[][] messages = [alice.Encrypt("one"), alice.Encrypt("two")];
        await using (var silo = await RunningSilo.StartAsync(data.Path))
        {
            var ds = silo.Grains.GetDeliveryService(id);
            var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(Grains.Storage.ProviderName);
            var state = new GrainState<DeliveryLogState>();
            await storage.ReadStateAsync("ds-log", ds.GetGrainId(), state);
            state.State = new DeliveryLogState
            {
                NextIndex = 4,
                Entries =
                [
                    new LoggedEntry(1, 0, LogEntryKind.Commit, add, []),
                    new LoggedEntry(2, 1, LogEntryKind.Message, messages[0], []),
                    new LoggedEntry(3, 1, LogEntryKind.Message, messages[1], []),
                ],
            };
            await storage.WriteStateAsync("ds-log", ds.GetGrainId(), state);

            var entries = await ReadAllAsync(ds, alice.Id);
            Assert.Equal([1UL, 2, 3], entries.Select(e => e.Index));
            Assert.Equal([add, .. messages], entries.Select(e => e.Bytes));
            Assert.Equal(3, await CountRowsAsync(null, "GroupLog"));
            Assert.Equal(4UL, (await ds.SendAsync(alice.Id, alice.Encrypt("three"))).Index);

            // The state keeps its next index only: the entries are rows now, written once.
            var moved = new GrainState<DeliveryLogState>();
            await storage.ReadStateAsync("ds-log", ds.GetGrainId(), moved);
            Assert.Empty(moved.State!.Entries);
            Assert.Equal(4UL, moved.State.NextIndex);
        }

        await using (var silo = await RunningSilo.StartAsync(data.Path))
        {
            Assert.Equal([1UL, 2, 3, 4], (await ReadAllAsync(silo.Grains.GetDeliveryService(id), alice.Id)).Select(e => e.Index));
        }
    }

    public void Dispose()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }

        data.Dispose();
    }

    /// <summary>Sends <paramref name="count"/> messages of about <paramref name="length"/> bytes of text, noting each entry's size.</summary>
    private static async Task SendAsync(IDeliveryServiceGrain ds, DsMember sender, Dictionary<ulong, int> sizes, int count, int length)
    {
        for (var i = 0; i < count; i++)
        {
            var message = sender.Encrypt(new string('x', length));
            var result = await ds.SendAsync(sender.Id, message);
            Assert.Equal(DeliveryOutcome.Ok, result.Outcome);
            sizes[result.Index] = message.Length;
        }
    }

    /// <summary>The log holds the newest entries, consecutive, within both bounds, and the next older one would not have fit.</summary>
    private static async Task AssertNewestThatFitAsync(IDeliveryServiceGrain ds, DsMember reader, Dictionary<ulong, int> sizes, DeliveryServiceOptions bounds)
    {
        var newest = sizes.Keys.Max();
        var expected = new List<ulong>();
        long bytes = 0;
        for (var index = newest; index >= 1; index--)
        {
            if (expected.Count > 0 && (expected.Count + 1 > bounds.Retention || bytes + sizes[index] > bounds.RetentionBytes))
            {
                break;
            }

            expected.Insert(0, index);
            bytes += sizes[index];
        }

        var entries = await ReadAllAsync(ds, reader.Id);
        Assert.Equal(expected, entries.Select(e => e.Index));
        Assert.All(entries, e => Assert.Equal(sizes[e.Index], e.Bytes.Length));
    }

    private static async Task<List<LogEntry>> ReadAllAsync(IDeliveryServiceGrain ds, string member)
    {
        var entries = new List<LogEntry>();
        LogPage page;
        do
        {
            page = await ds.ReadAsync(member, entries.Count == 0 ? 0 : entries[^1].Index);
            Assert.Equal(DeliveryOutcome.Ok, page.Outcome);
            entries.AddRange(page.Entries);
        }
        while (page.More);
        return entries;
    }

    /// <summary>Alice founds the room and adds Bob (the first entry of its log); returns that commit's index.</summary>
    private static async Task<ulong> FoundAsync(IDeliveryServiceGrain ds, DsMember alice, DsMember bob)
    {
        var (groupInfo, tree) = await alice.FoundAsync(GroupId.Parse(ds.GetPrimaryKeyString()), alice);
        Assert.Equal(DeliveryOutcome.Ok, await ds.CreateAsync(alice.Id, groupInfo, tree, null, null, null));
        var add = await alice.CommitAsync(new Proposal(new AddProposal(bob.Bundle.KeyPackage)));
        var added = await ds.CommitAsync(alice.Id, add.Commit, add.Welcome);
        Assert.Equal(DeliveryOutcome.Ok, added.Outcome);
        alice.Group.MergePendingCommit();
        return added.Index;
    }

    private async Task<DsMember> ClientAsync(RunningSilo silo)
    {
        var client = await DsMember.CreateAsync(silo.Grains, TimeProvider.System);
        clients.Add(client);
        return client;
    }

    /// <summary>Every grain state write so far, as the storage table counts them (versions), and the bytes the states hold.</summary>
    private async Task<(long Versions, long Bytes)> GrainStateWritesAsync(PostgresDatabase? database)
    {
        // Orleans' provider's table on PostgreSQL; the silo's own on SQLite (SqliteGrainStorage).
        const string Sql = "SELECT coalesce(sum(Version), 0), coalesce(sum({0}(PayloadBinary)), 0) FROM {1}";
        if (database is not null)
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, Sql, "octet_length", "OrleansStorage"), connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
        }

        await using var sqlite = await OpenSqliteAsync();
        await using var query = sqlite.CreateCommand();
        query.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, Sql, "length", "GrainState");
        await using var rows = await query.ExecuteReaderAsync();
        await rows.ReadAsync();
        return (rows.GetInt64(0), rows.GetInt64(1));
    }

    private async Task<long> CountRowsAsync(PostgresDatabase? database, string table)
    {
        if (database is not null)
        {
            return await database.CountRowsAsync(table);
        }

        await using var connection = await OpenSqliteAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {table}";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task ExecuteSqliteAsync(string sql)
    {
        await using var connection = await OpenSqliteAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<SqliteConnection> OpenSqliteAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "ockam.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }
}
