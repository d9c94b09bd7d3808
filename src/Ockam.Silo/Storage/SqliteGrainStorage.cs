using Orleans.Storage;

namespace Ockam.Silo.Storage;

/// <summary>
/// Orleans' ADO.NET grain storage on the silo's SQLite file, its writes in the file's turn (<see cref="SqliteWriteGate"/>):
/// its connections have no busy_timeout, so a grain's write that met a row store's commit slept 150 ms at least (an
/// enrolling device's identity publication among them); now it waits for that commit alone. Reads need no turn (WAL).
/// </summary>
internal sealed class SqliteGrainStorage(IGrainStorage inner, SqliteWriteGate gate) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        gate.WriteAsync(() => inner.WriteStateAsync(stateName, grainId, grainState), CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        gate.WriteAsync(() => inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken), cancellationToken);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        gate.WriteAsync(() => inner.ClearStateAsync(stateName, grainId, grainState), CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        gate.WriteAsync(() => inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken), cancellationToken);

    /// <summary>The ADO.NET storage loads its queries when the silo starts: it still does, through this.</summary>
    public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);
}
