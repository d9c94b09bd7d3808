using Ockam.Silo.Storage;

namespace Ockam.Silo.Tests;

/// <summary>The group-commit writer: one write that cannot be applied fails alone, and what was batched with it is committed.</summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task A_write_that_cannot_be_applied_fails_alone_and_the_writer_goes_on()
    {
        var bad = new Write();
        var writer = new GroupCommit<Write>(
            batch => batch.Contains(bad) ? Task.FromException(new InvalidOperationException("refused")) : Task.CompletedTask,
            maxRows: 16,
            maxBytes: 1024);
        await using (writer)
        {
            var good = Enumerable.Range(0, 10).Select(_ => new Write()).ToList();
            writer.Enqueue(good[0]);
            writer.Enqueue(bad);
            foreach (var write in good.Skip(1))
            {
                writer.Enqueue(write);
            }

            await Task.WhenAll(good.Select(w => w.Done)).WaitAsync(TimeSpan.FromSeconds(30));
            await Assert.ThrowsAsync<InvalidOperationException>(() => bad.Done.WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    private sealed class Write : IGroupCommitWrite
    {
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Done => done.Task;

        public long Bytes => 8;

        public int Rows => 1;

        public void Complete() => done.TrySetResult();

        public void Fail(Exception exception) => done.TrySetException(exception);
    }
}
