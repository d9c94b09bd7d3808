namespace Ockam.Silo.Storage;

/// <summary>
/// One grain's write or clear of a state, waiting for the writer. Its task completes once the transaction holding it
/// has committed: with the state's new version, or with none if the version it expected was not the stored one.
/// </summary>
internal sealed class GrainStateWrite : IGroupCommitWrite
{
    private readonly TaskCompletionSource<long?> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GrainStateWrite(string stateName, string grainId, byte[]? payload, long? expected)
    {
        StateName = stateName;
        GrainId = grainId;
        Payload = payload;
        Expected = expected;
    }

    public string StateName { get; }

    public string GrainId { get; }

    /// <summary>The serialized state; none for a clear.</summary>
    public byte[]? Payload { get; }

    /// <summary>The version the grain last read; none if it read no row (the write then only creates one).</summary>
    public long? Expected { get; }

    public long Bytes => Payload?.Length ?? 0;

    public int Rows => 1;

    /// <summary>The stored version after the write, as the transaction found it; none on a conflict.</summary>
    public long? Version { get; set; }

    public Task<long?> Done => done.Task;

    public void Complete() => done.TrySetResult(Version);

    public void Fail(Exception exception) => done.TrySetException(exception);
}
