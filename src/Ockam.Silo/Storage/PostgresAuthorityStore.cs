using System.Data.Common;
using Npgsql;

namespace Ockam.Silo.Storage;

/// <summary>
/// Authorities' rows in PostgreSQL. Each silo has one writer (the group-commit loop); the silos of a cluster all
/// issue, so a decision on a member locks its row (<c>FOR UPDATE</c>) and an issuance and a revocation of one member
/// on two silos take turns. Reads take pooled connections.
/// </summary>
internal sealed class PostgresAuthorityStore(string connectionString, string serviceId) : AuthorityStore(serviceId, lockRows: true)
{
    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>A pooled connection per batch: a broken one is not kept.</summary>
    protected override async Task WithWriterAsync(Func<DbConnection, Task> transaction)
    {
        await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await transaction(connection).ConfigureAwait(false);
    }

    protected override ValueTask DisposeCoreAsync() => dataSource.DisposeAsync();
}
