using Ockam.Grains.GroupLog;

namespace Ockam.Silo.Storage;

/// <summary>
/// One group's entries to append and the index its log keeps from, waiting for the writer. Its task completes once the
/// transaction that holds it has committed.
/// </summary>
internal sealed class GroupLogWrite(string group, IReadOnlyList<GroupLogEntry> entries, ulong keepFrom) : IGroupCommitWrite
{
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Group { get; } = group;

    public IReadOnlyList<GroupLogEntry> Entries { get; } = entries;

    /// <summary>The group's entries before this index are deleted.</summary>
    public ulong KeepFrom { get; } = keepFrom;

    /// <summary>What the write adds to a batch, for the batch's bound in bytes.</summary>
    public long Bytes { get; } = entries.Sum(e => (long)e.Bytes.Length);

    /// <summary>One per entry (its removals go with it).</summary>
    public int Rows => Entries.Count;

    public Task Done => done.Task;

    public void Complete() => done.TrySetResult();

    public void Fail(Exception exception) => done.TrySetException(exception);
}
