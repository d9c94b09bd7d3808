using System.Data.Common;

namespace Ockam.Silo.Storage;

/// <summary>
/// Authorities' rows in the silo's SQLite file. One connection writes, in the group-commit loop; reads take pooled
/// connections of their own (WAL lets them run beside the writer). A batch commits in the file's write turn
/// (<see cref="SqliteWriteGate"/>); every connection also waits on a locked database inside SQLite (busy_timeout)
/// rather than in the driver's 150 ms retry sleep.
/// </summary>
internal sealed class SqliteAuthorityStore(string path, string serviceId, SqliteWriteGates gates) : AuthorityStore(serviceId, lockRows: false)
{
    private readonly SqliteWriteGate gate = gates.For(path);
    private readonly SqliteWriter writer = new(path, SqliteWriter.Flush.EveryCommit);

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await SqliteRows.OpenAsync(path, cancellationToken).ConfigureAwait(false);

    protected override Task CommitInTurnAsync(Func<Task> commit) => gate.WriteAsync(commit, CancellationToken.None);

    protected override Task WithWriterAsync(Func<DbConnection, Task> transaction) => writer.RunAsync(transaction, CancellationToken.None);

    protected override ValueTask DisposeCoreAsync() => writer.DisposeAsync();
}
