using System.Threading.Channels;

namespace Ockam.Silo.Storage;

/// <summary>
/// The turn to write one SQLite file, taken by every writer in this process: the row stores' group-commit loops and
/// Orleans' grain storage (<see cref="SqliteGrainStorage"/>). SQLite lets one transaction write at a time; a writer
/// that finds another mid-commit either sleeps inside SQLite (busy_timeout, in steps of up to 100 ms) or, on Orleans'
/// connections, which have no busy_timeout, in Microsoft.Data.Sqlite's 150 ms retry. Taking turns here, each waits
/// only for the commit ahead of it. One per file: <see cref="SqliteWriteGates"/>.
/// </summary>
internal sealed class SqliteWriteGate
{
    /// <summary>Holds the one turn while nobody writes; writers wait for it in order (a channel: nothing to dispose).</summary>
    private readonly Channel<bool> turn = Channel.CreateBounded<bool>(1);

    public SqliteWriteGate() => turn.Writer.TryWrite(true);

    /// <summary>Runs <paramref name="write"/> (a whole transaction) in this file's turn.</summary>
    public async Task<T> WriteAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        await turn.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            turn.Writer.TryWrite(true);
        }
    }

    /// <inheritdoc cref="WriteAsync{T}"/>
    public Task WriteAsync(Func<Task> write, CancellationToken cancellationToken) =>
        WriteAsync(async () =>
        {
            await write().ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
