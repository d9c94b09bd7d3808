namespace Ockam.Identity.Mls;

/// <summary>
/// A commit this member made and sent to the Delivery Service, not yet in effect (RFC 9420 §12.4.1, §14): the group
/// stays in its epoch until the Delivery Service accepts the commit (<see cref="MlsGroup.MergePendingCommit"/>); if
/// it refuses — another member's commit for the epoch got there first — <see cref="MlsGroup.DiscardPendingCommit"/>
/// drops it and the group is as it was.
/// </summary>
internal sealed class PendingCommit : IDisposable
{
    private bool disposed;

    public PendingCommit(MlsMessage commit, Welcome? welcome, GroupEpoch next, TreeKemUpdate? update, ulong fromEpoch)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentNullException.ThrowIfNull(next);
        Commit = commit;
        Welcome = welcome;
        Next = next;
        Update = update;
        FromEpoch = fromEpoch;
    }

    /// <summary>The commit to send, as a PublicMessage.</summary>
    public MlsMessage Commit { get; }

    /// <summary>The Welcome for the members the commit adds; null when it adds none.</summary>
    public Welcome? Welcome { get; }

    /// <summary>The epoch the commit leads to.</summary>
    internal GroupEpoch Next { get; }

    /// <summary>The committer's new path keys; null for a commit without a path.</summary>
    internal TreeKemUpdate? Update { get; }

    /// <summary>The epoch the commit was made in.</summary>
    internal ulong FromEpoch { get; }

    /// <summary>
    /// The commit is accepted: the committer's private tree takes the new path keys, and the new epoch is handed to
    /// the group, no longer owned here.
    /// </summary>
    internal GroupEpoch Merge(TreeKemPrivate privateTree)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(privateTree);
        disposed = true;
        if (Update is not null)
        {
            privateTree.Apply(Update, Next.Tree);
            Update.Dispose();
        }

        return Next;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Update?.Dispose();
        Next.Dispose();
    }
}
