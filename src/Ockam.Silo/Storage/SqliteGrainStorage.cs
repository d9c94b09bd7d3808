using System.Globalization;
using Microsoft.Data.Sqlite;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Ockam.Silo.Storage;

/// <summary>
/// Orleans' grain states in the silo's SQLite file (table GrainState, from Schema/sqlite.sql), written through one
/// <see cref="GroupCommit{TWrite}"/> in the file's write turn (<see cref="SqliteWriteGate"/>): the writes of many grains
/// that arrive together share one transaction and one flush, and each grain hears of its write only once it is
/// durable. Orleans' ADO.NET storage committed each write alone with a flush of its own (an enrolling device's identity
/// among them: one flush per enrolment, taken one at a time). Reads take pooled connections of their own (WAL). A
/// write or clear names the version its grain last read, and a stale one is refused, as Orleans' own provider does.
/// </summary>
/// <remarks>
/// Silos before this one kept their states in OrleansStorage through Orleans' provider (<c>earlier</c>): a state found
/// only there is copied here when first read and emptied there, and from then on only this table's row counts.
/// </remarks>
internal sealed class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable, IDisposable
{
    /// <summary>States per transaction at most.</summary>
    public const int MaxBatch = 256;

    /// <summary>Serialized bytes per transaction at most (a single larger state goes alone).</summary>
    public const int MaxBatchBytes = 8 * 1024 * 1024;

    private const int Unknown = 0;
    private const int None = 1;
    private const int Some = 2;

    private readonly string path;
    private readonly string serviceId;
    private readonly AdoNetGrainStorage earlier;
    private readonly IActivatorProvider activators;
    private readonly SqliteWriteGate gate;
    private readonly GroupCommit<GrainStateWrite> commits;
    private readonly SqliteWriter writer;
    private int earlierRows = Unknown;

    public SqliteGrainStorage(string path, string serviceId, AdoNetGrainStorage earlier, IActivatorProvider activators, SqliteWriteGate gate)
    {
        this.path = path;
        this.serviceId = serviceId;
        this.earlier = earlier;
        this.activators = activators;
        this.gate = gate;
        writer = new(path, SqliteWriter.Flush.EveryCommit);
        commits = new(batch => gate.WriteAsync(() => writer.RunAsync(connection => CommitAsync(connection, batch), CancellationToken.None), CancellationToken.None), MaxBatch, MaxBatchBytes);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = grainId.ToString();
        if (await ReadRowAsync(stateName, key, cancellationToken).ConfigureAwait(false) is { } row)
        {
            Load(grainState, row);
            return;
        }

        if (!await HasEarlierRowsAsync(cancellationToken).ConfigureAwait(false))
        {
            Load(grainState, null);
            return;
        }

        // Read apart: the earlier provider's version is no version of this table's, and must not reach the grain. (A row
        // it had cleared reads as existing, with a default state: copied as such, which is what it told grains too.)
        var kept = new GrainState<T>();
        await earlier.ReadStateAsync(stateName, grainId, kept, cancellationToken).ConfigureAwait(false);
        if (!kept.RecordExists || kept.State is null)
        {
            Load(grainState, null);
            return;
        }

        // Copied as a first write (if another activation copied it, or wrote, first, that row is the state), then emptied
        // where it was, so that nothing can bring the old copy back once this table's row has moved on. The emptying is
        // tidying only (this table's row wins from now on whatever happens to the old one): in the file's write turn, as
        // every writer of it, and its failure is not the grain's. (It gives kept a fresh default: what was read is held
        // apart.)
        var state = kept.State;
        var copied = await WriteAsync(new GrainStateWrite(stateName, key, Serialize(state), expected: null), cancellationToken).ConfigureAwait(false);
        try
        {
            await gate.WriteAsync(() => earlier.ClearStateAsync(stateName, grainId, kept, CancellationToken.None), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
        }

        if (copied is { } version)
        {
            grainState.State = state;
            grainState.RecordExists = true;
            grainState.ETag = Format(version);
            return;
        }

        Load(grainState, await ReadRowAsync(stateName, key, cancellationToken).ConfigureAwait(false));
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var write = new GrainStateWrite(stateName, grainId.ToString(), Serialize(grainState.State), Expected(stateName, grainId, grainState.ETag));
        var version = await WriteAsync(write, cancellationToken).ConfigureAwait(false) ?? throw Stale(stateName, grainId, grainState.ETag);
        grainState.ETag = Format(version);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <summary>Keeps the row (no payload, its version moved on), so that a stale writer still meets a newer version.</summary>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var clear = new GrainStateWrite(stateName, grainId.ToString(), payload: null, Expected(stateName, grainId, grainState.ETag));
        var version = await WriteAsync(clear, cancellationToken).ConfigureAwait(false) ?? throw Stale(stateName, grainId, grainState.ETag);
        grainState.State = activators.GetActivator<T>().Create();
        grainState.ETag = Format(version);
        grainState.RecordExists = false;
    }

    /// <summary>The earlier provider loads its queries when the silo starts: it still does, for the states it holds.</summary>
    public void Participate(ISiloLifecycle observer) => earlier.Participate(observer);

    public async ValueTask DisposeAsync()
    {
        // What is queued is still written: its grains wait for it.
        await commits.DisposeAsync().ConfigureAwait(false);
        await writer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>For a container disposed synchronously (a host's <c>Dispose</c>): the same, waited for.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static string Format(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>The version a grain read (none if it read no row); an ETag this storage did not give is never current.</summary>
    private static long? Expected(string stateName, GrainId grainId, string? etag) =>
        etag is null ? null
        : long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version
        : throw Stale(stateName, grainId, etag);

    private static InconsistentStateException Stale(string stateName, GrainId grainId, string? etag) =>
        new($"the {stateName} state of {grainId} was written since version {etag ?? "(none)"} was read", storedEtag: string.Empty, currentEtag: etag ?? string.Empty);

    private byte[] Serialize<T>(T state) => earlier.Serializer.Serialize(state).ToArray();

    private void Load<T>(IGrainState<T> grainState, (byte[]? Payload, long Version)? row)
    {
        if (row is { Payload: { } payload })
        {
            grainState.State = earlier.Serializer.Deserialize<T>(new BinaryData(payload));
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = activators.GetActivator<T>().Create();
            grainState.RecordExists = false;
        }

        grainState.ETag = row is { } found ? Format(found.Version) : null;
    }

    /// <summary>
    /// Queues <paramref name="write"/> unless cancelled first; once queued it is waited for to the end, so that a grain
    /// never gives up on a write that then commits (its next write would meet its own row as a stranger's).
    /// </summary>
    private Task<long?> WriteAsync(GrainStateWrite write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        commits.Enqueue(write);
        return write.Done;
    }

    private async Task<(byte[]? Payload, long Version)?> ReadRowAsync(string stateName, string grainId, CancellationToken cancellationToken)
    {
        await using var reading = await SqliteRows.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        await using var command = reading.CreateCommand();
        command.CommandText = "SELECT PayloadBinary, Version FROM GrainState WHERE ServiceId = $service AND StateName = $state AND GrainId = $grain";
        command.Parameters.AddWithValue("$service", serviceId);
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return (reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0), reader.GetInt64(1));
    }

    /// <summary>Whether OrleansStorage holds any of this service's states (asked once: nothing writes there any more).</summary>
    private async ValueTask<bool> HasEarlierRowsAsync(CancellationToken cancellationToken)
    {
        var known = Volatile.Read(ref earlierRows);
        if (known != Unknown)
        {
            return known == Some;
        }

        await using var reading = await SqliteRows.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        await using var command = reading.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM OrleansStorage WHERE ServiceId = $service AND PayloadBinary IS NOT NULL)";
        command.Parameters.AddWithValue("$service", serviceId);
        var some = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) != 0;
        Volatile.Write(ref earlierRows, some ? Some : None);
        return some;
    }

    /// <summary>The batch's transaction, in the file's write turn: each write's new version, or none where its grain's was stale.</summary>
    private async Task CommitAsync(SqliteConnection connection, IReadOnlyList<GrainStateWrite> batch)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync().ConfigureAwait(false);

        await using var create = connection.CreateCommand();
        create.Transaction = transaction;
        create.CommandText = """
            INSERT INTO GrainState (ServiceId, StateName, GrainId, PayloadBinary, ModifiedOn, Version)
            VALUES ($service, $state, $grain, $payload, CURRENT_TIMESTAMP, 1)
            ON CONFLICT DO NOTHING
            RETURNING Version
            """;
        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = """
            UPDATE GrainState SET PayloadBinary = $payload, ModifiedOn = CURRENT_TIMESTAMP, Version = Version + 1
             WHERE ServiceId = $service AND StateName = $state AND GrainId = $grain AND Version = $expected
            RETURNING Version
            """;
        update.Parameters.Add("$expected", SqliteType.Integer);
        foreach (var command in new[] { create, update })
        {
            command.Parameters.Add("$service", SqliteType.Text).Value = serviceId;
            command.Parameters.Add("$state", SqliteType.Text);
            command.Parameters.Add("$grain", SqliteType.Text);
            command.Parameters.Add("$payload", SqliteType.Blob);
        }

        foreach (var write in batch)
        {
            var command = create;
            if (write.Expected is { } expected)
            {
                command = update;
                update.Parameters["$expected"].Value = expected;
            }

            command.Parameters["$state"].Value = write.StateName;
            command.Parameters["$grain"].Value = write.GrainId;
            command.Parameters["$payload"].Value = (object?)write.Payload ?? DBNull.Value;
            write.Version = await command.ExecuteScalarAsync().ConfigureAwait(false) as long?;
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }
}
