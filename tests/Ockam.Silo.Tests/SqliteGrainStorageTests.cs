using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Grains.Identities;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Silo.Configuration;
using Ockam.Silo.Storage;
using Ockam.Silo.Telemetry;
using Ockam.Silo.Tests.Support;
using Orleans.Runtime;
using Orleans.Storage;

namespace Ockam.Silo.Tests;

/// <summary>
/// Grain states on SQLite in the silo's own rows: many grains' writes share one commit, each grain hears of its write
/// once it is durable, a stale writer is refused, and what an earlier silo kept in Orleans' table is still read. Alone:
/// the commit-size meter is the process's, whichever silo counts.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class SqliteGrainStorageTests : IDisposable
{
    private const string StateName = "identity";
    private readonly TempDirectory data = new();

    [Fact]
    public async Task Writes_that_arrive_together_share_one_commit_and_none_is_acknowledged_before_it()
    {
        var batches = new List<int>();
        using var meters = ListenToCommits(batches);
        await using var silo = await RunningSilo.StartAsync(data.Path);
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(Grains.Storage.ProviderName);
        var gate = silo.Services.GetRequiredService<SqliteWriteGates>().For(silo.Services.GetRequiredService<IOptions<OckamOptions>>().Value.SqlitePath);

        // While a commit holds the file's turn, twenty grains write: none hears back before its row is committed.
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = gate.WriteAsync(() => commit.Task, CancellationToken.None);
        var states = Enumerable.Range(0, 20).Select(i => new GrainState<IdentityState> { State = new IdentityState { History = [(byte)i] } }).ToList();
        var grains = states.Select(_ => NewGrain()).ToList();
        var writes = states.Select((state, i) => storage.WriteStateAsync(StateName, grains[i], state)).ToList();
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.DoesNotContain(writes, w => w.IsCompleted);
        Assert.Equal(0, await CountRowsAsync(grains));

        commit.SetResult();
        await holding;
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(states, s => Assert.Equal("1", s.ETag));
        Assert.Equal(20, await CountRowsAsync(grains));

        // All twenty were queued before the turn came back: the writer took them in at most two transactions (what it
        // had taken when it first waited for the turn, then the rest), so one held at least ten.
        lock (batches)
        {
            Assert.Contains(batches, b => b >= 10);
        }

        for (var i = 0; i < grains.Count; i++)
        {
            Assert.Equal(new[] { (byte)i }, await HistoryAsync(storage, grains[i]));
        }
    }

    [Fact]
    public async Task A_write_or_clear_from_a_stale_read_is_refused_alone_and_the_newer_state_stays()
    {
        await using var silo = await RunningSilo.StartAsync(data.Path);
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(Grains.Storage.ProviderName);
        var grain = NewGrain();
        var first = await ReadAsync(storage, grain);
        var second = await ReadAsync(storage, grain);
        Assert.Null(first.ETag);

        first.State = new IdentityState { History = [1] };
        await storage.WriteStateAsync(StateName, grain, first);

        // Both read no row: the second one's first write finds the first's row.
        second.State = new IdentityState { History = [2] };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, second));

        second = await ReadAsync(storage, grain);
        Assert.Equal(new byte[] { 1 }, second.State!.History);
        first.State = new IdentityState { History = [3] };
        await storage.WriteStateAsync(StateName, grain, first);

        // In one transaction with another grain's good write: the stale write and clear fail, the good write stands.
        // Queued while the turn is held, after a first write the writer may take alone: however it splits the rest, the
        // good write (queued between the two stale ones) shares a transaction with one of them.
        var bystander = NewGrain();
        var good = new GrainState<IdentityState> { State = new IdentityState { History = [9] } };
        var gate = silo.Services.GetRequiredService<SqliteWriteGates>().For(silo.Services.GetRequiredService<IOptions<OckamOptions>>().Value.SqlitePath);
        var batches = new List<int>();
        using var meters = ListenToCommits(batches);
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = gate.WriteAsync(() => commit.Task, CancellationToken.None);
        var priming = storage.WriteStateAsync(StateName, NewGrain(), new GrainState<IdentityState> { State = new IdentityState() });
        second.State = new IdentityState { History = [4] };
        var stale = storage.WriteStateAsync(StateName, grain, second);
        var fine = storage.WriteStateAsync(StateName, bystander, good);
        var staleClear = storage.ClearStateAsync(StateName, grain, new GrainState<IdentityState> { ETag = second.ETag });
        commit.SetResult();
        await holding;
        await priming;
        await Assert.ThrowsAsync<InconsistentStateException>(() => stale);
        await Assert.ThrowsAsync<InconsistentStateException>(() => staleClear);
        await fine;

        // Refused within its transaction, not by failing it: a failed batch is written again one write at a time, and
        // then no transaction would have held more than one.
        lock (batches)
        {
            Assert.Contains(batches, b => b >= 2);
        }

        Assert.Equal(new byte[] { 9 }, await HistoryAsync(storage, bystander));
        Assert.Equal(new byte[] { 3 }, await HistoryAsync(storage, grain));

        // A clear keeps the row, its version moved on: a writer that read before it is still refused.
        await storage.ClearStateAsync(StateName, grain, first);
        Assert.False(first.RecordExists);
        var cleared = await ReadAsync(storage, grain);
        Assert.False(cleared.RecordExists);
        Assert.Null(cleared.State!.History);
        Assert.Equal(first.ETag, cleared.ETag);
        second.ETag = "2";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, second));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, new GrainState<IdentityState> { State = new IdentityState() }));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, new GrainState<IdentityState> { State = new IdentityState(), ETag = "not a version" }));
        cleared.State = new IdentityState { History = [5] };
        await storage.WriteStateAsync(StateName, grain, cleared);
        Assert.Equal(new byte[] { 5 }, await HistoryAsync(storage, grain));
    }

    [Fact]
    public async Task An_identity_an_earlier_silo_kept_in_Orleans_table_is_still_known_and_still_refuses_a_rollback()
    {
        using var vault = new SoftwareVault();
        var identities = new IdentityManager(vault, TimeProvider.System);
        var device = await identities.CreateAsync();
        var rotated = await identities.RotateAsync(device);
        GrainId grain;

        // As a silo before this storage: the identity's state written by Orleans' provider into OrleansStorage.
        await using (var silo = await RunningSilo.StartAsync(data.Path))
        {
            grain = silo.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString()).GetGrainId();
            var earlier = AdoNetGrainStorageFactory.Create(silo.Services, Grains.Storage.ProviderName);
            var lifecycle = new SiloLifecycleSubject(NullLogger<SiloLifecycleSubject>.Instance);
            earlier.Participate(lifecycle);
            await lifecycle.OnStart(CancellationToken.None);
            await earlier.WriteStateAsync(StateName, grain, new GrainState<IdentityState> { State = new IdentityState { History = rotated.History.Encode() } });
            Assert.Equal(1, await CountAsync("SELECT count(*) FROM OrleansStorage WHERE PayloadBinary IS NOT NULL"));
        }

        await using (var silo = await RunningSilo.StartAsync(data.Path))
        {
            var identity = silo.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString());
            Assert.Equal(rotated.History.Encode(), await identity.GetHistoryAsync());
            Assert.Equal(PublicationOutcome.RolledBack, (await identity.PublishAsync(device.History.Encode())).Outcome);
            Assert.Equal(1, await CountRowsAsync([grain]));

            // Emptied where it was: no later miss in the silo's own rows can bring the old copy back.
            Assert.Equal(0, await CountAsync("SELECT count(*) FROM OrleansStorage WHERE PayloadBinary IS NOT NULL"));
        }

        // Copied once: from now on the silo's own row is the state, and it still refuses the old history after a restart.
        await using (var silo = await RunningSilo.StartAsync(data.Path))
        {
            var identity = silo.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString());
            Assert.Equal(PublicationOutcome.RolledBack, (await identity.PublishAsync(device.History.Encode())).Outcome);
            Assert.Equal(rotated.History.Encode(), await identity.GetHistoryAsync());
        }
    }

    public void Dispose() => data.Dispose();

    /// <summary>Adds to <paramref name="batches"/> the writes of each grain-state transaction committed.</summary>
    private static MeterListener ListenToCommits(List<int> batches)
    {
        var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SiloTelemetry.Name && instrument.Name == "ockam.storage.commit.writes")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<int>((_, writes, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "ockam.kind", Value: nameof(GrainStateWrite) })
                {
                    lock (batches)
                    {
                        batches.Add(writes);
                    }
                }
            }
        });
        meters.Start();
        return meters;
    }

    private static GrainId NewGrain() => GrainId.Create("test-state", Guid.NewGuid().ToString("N"));

    private static async Task<GrainState<IdentityState>> ReadAsync(IGrainStorage storage, GrainId grain)
    {
        var state = new GrainState<IdentityState>();
        await storage.ReadStateAsync(StateName, grain, state);
        return state;
    }

    private static async Task<byte[]?> HistoryAsync(IGrainStorage storage, GrainId grain) => (await ReadAsync(storage, grain)).State!.History;

    private Task<long> CountRowsAsync(IEnumerable<GrainId> grains) =>
        CountAsync($"SELECT count(*) FROM GrainState WHERE GrainId IN ({string.Join(", ", grains.Select(g => $"'{g}'"))})");

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "ockam.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
