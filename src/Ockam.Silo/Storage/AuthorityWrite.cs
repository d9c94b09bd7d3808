namespace Ockam.Silo.Storage;

/// <summary>
/// One caller's change to an authority's rows, waiting for the writer: the statements it runs (deciding on the rows
/// as the batch's transaction finds them) and the answer its caller gets once that transaction has committed.
/// </summary>
internal abstract class AuthorityWrite : IGroupCommitWrite
{
    /// <summary>Rows are small: a batch is bounded by its count long before its bytes.</summary>
    public long Bytes => 256;

    /// <summary>A member's, a serial's or a redemption's: a write touches a few rows, counted as one.</summary>
    public int Rows => 1;

    public abstract Task ApplyAsync(AuthorityRows rows, CancellationToken cancellationToken);

    public abstract void Complete();

    public abstract void Fail(Exception exception);
}

/// <inheritdoc/>
internal sealed class AuthorityWrite<TResult>(Func<AuthorityRows, CancellationToken, Task<TResult>> apply) : AuthorityWrite
{
    private readonly TaskCompletionSource<TResult> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TResult? result;

    public Task<TResult> Done => done.Task;

    public override async Task ApplyAsync(AuthorityRows rows, CancellationToken cancellationToken) =>
        result = await apply(rows, cancellationToken).ConfigureAwait(false);

    public override void Complete() => done.TrySetResult(result!);

    public override void Fail(Exception exception) => done.TrySetException(exception);
}
