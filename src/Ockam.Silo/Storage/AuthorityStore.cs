using System.Data.Common;
using Ockam.Grains.Authority;

namespace Ockam.Silo.Storage;

/// <summary>
/// Authorities' rows in the silo's database: reads on pooled connections of their own, writes through one
/// group-committing writer per silo (<see cref="GroupCommit{TWrite}"/>), each caller answered once its change is durable.
/// The backends differ only in how a connection is opened and whether rows are locked for a decision (PostgreSQL,
/// where several silos write; a SQLite file has one writer).
/// </summary>
internal abstract class AuthorityStore : IAuthorityStore, IAsyncDisposable, IDisposable
{
    private readonly GroupCommit<AuthorityWrite> writes;
    private readonly bool lockRows;

    protected AuthorityStore(string serviceId, bool lockRows)
    {
        ServiceId = serviceId;
        this.lockRows = lockRows;
        writes = new GroupCommit<AuthorityWrite>(CommitAsync, maxRows: 1024, maxBytes: 4 * 1024 * 1024);
    }

    /// <summary>Names this deployment's rows, as it names its grain states.</summary>
    protected string ServiceId { get; }

    public Task<MemberRecord?> GetMemberAsync(string authority, string subject, CancellationToken cancellationToken) =>
        ReadAsync((rows, c) => rows.GetMemberAsync(authority, subject, c), cancellationToken);

    public Task<IssuanceResult> RecordIssuanceAsync(string authority, Issuance issuance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuance);
        return WriteAsync((rows, c) => rows.RecordIssuanceAsync(authority, issuance, c), cancellationToken);
    }

    public Task RevokeSerialAsync(string authority, ulong serial, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (rows, c) =>
        {
            await rows.RevokeSerialAsync(authority, serial, now, c).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task RevokeMemberAsync(string authority, string subject, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (rows, c) =>
        {
            await rows.RevokeMemberAsync(authority, subject, now, c).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<bool> ReadmitAsync(string authority, string subject, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync((rows, c) => rows.ReadmitAsync(authority, subject, now, c), cancellationToken);

    public Task<IReadOnlyList<ulong>> GetRevokedSerialsAsync(string authority, int max, CancellationToken cancellationToken) =>
        ReadAsync((rows, c) => rows.GetRevokedSerialsAsync(authority, max, c), cancellationToken);

    public Task<IReadOnlyList<string>> GetRevokedSubjectsAsync(string authority, CancellationToken cancellationToken) =>
        ReadAsync((rows, c) => rows.GetRevokedSubjectsAsync(authority, c), cancellationToken);

    public Task<(RedemptionOutcome Redemption, IssuanceResult? Issuance)> RedeemAndRecordAsync(string authority, string token, int uses, Issuance grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return WriteAsync((rows, c) => rows.RedeemAndRecordAsync(authority, token, uses, grant, c), cancellationToken);
    }

    public Task ImportAsync(string authority, AuthorityImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        return WriteAsync(async (rows, c) =>
        {
            await rows.ImportAsync(authority, import, c).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task ImportRedemptionsAsync(string token, IReadOnlyCollection<string> redeemers, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(redeemers);
        return WriteAsync(async (rows, c) =>
        {
            await rows.ImportRedemptionsAsync(token, redeemers, at, c).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await writes.DisposeAsync().ConfigureAwait(false);
        await DisposeCoreAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>For a container disposed synchronously (a host's <c>Dispose</c>): the same, waited for.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A new open connection (a pooled one for reads).</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs a batch's <paramref name="commit"/>: at once, or when the database's other writers let it.</summary>
    protected virtual Task CommitInTurnAsync(Func<Task> commit) => commit();

    /// <summary>Runs a batch's <paramref name="transaction"/> on the connection batches are written on.</summary>
    protected abstract Task WithWriterAsync(Func<DbConnection, Task> transaction);

    protected abstract ValueTask DisposeCoreAsync();

    private async Task<T> ReadAsync<T>(Func<AuthorityRows, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await read(new AuthorityRows(connection, null, ServiceId, lockRows), cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> WriteAsync<T>(Func<AuthorityRows, CancellationToken, Task<T>> apply, CancellationToken cancellationToken)
    {
        var write = new AuthorityWrite<T>(apply);
        writes.Enqueue(write);
        return await write.Done.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task CommitAsync(IReadOnlyList<AuthorityWrite> batch) => CommitInTurnAsync(() => CommitBatchAsync(batch));

    private Task CommitBatchAsync(IReadOnlyList<AuthorityWrite> batch) => WithWriterAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        var rows = new AuthorityRows(connection, transaction, ServiceId, lockRows);
        foreach (var write in batch)
        {
            await write.ApplyAsync(rows, CancellationToken.None).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    });
}
