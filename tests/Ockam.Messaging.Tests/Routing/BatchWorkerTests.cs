using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Tests.Routing;

/// <summary>A batch worker (a connection) takes what its mailbox holds at once, in order, bounded in count.</summary>
public sealed class BatchWorkerTests
{
    [Fact]
    public async Task What_queued_while_the_worker_was_busy_comes_in_one_batch_in_order_and_at_most_the_bound()
    {
        await using var node = new Node();
        var worker = new Batches();
        node.StartWorker([Address.Local("batch")], worker);
        await Send(node, 0);
        await worker.First.Task;

        // Queued while the first batch is still being handled.
        var count = IBatchWorker.MaxBatch + 10;
        for (var i = 1; i <= count; i++)
        {
            await Send(node, i);
        }

        worker.Release.SetResult();
        await worker.All(count + 1).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, IBatchWorker.MaxBatch, 10], worker.Sizes);
        Assert.Equal(Enumerable.Range(0, count + 1).Select(i => (byte)i), worker.Seen);
    }

    private static ValueTask Send(Node node, int i) => node.SendAsync(new Message(Route.Of(Address.Local("batch")), Route.Empty, new[] { (byte)i }));

    private sealed class Batches : IBatchWorker
    {
        private readonly List<byte> seen = [];
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int expected = int.MaxValue;

        public TaskCompletionSource First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> Sizes { get; } = [];

        public IReadOnlyList<byte> Seen => seen;

        public Task All(int count)
        {
            lock (seen)
            {
                expected = count;
                if (seen.Count >= count)
                {
                    done.TrySetResult();
                }
            }

            return done.Task;
        }

        public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a batch worker gets batches");

        public async ValueTask HandleMessagesAsync(WorkerContext context, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
        {
            lock (seen)
            {
                Sizes.Add(messages.Count);
                seen.AddRange(messages.Select(m => m.Payload.Span[0]));
                if (seen.Count >= expected)
                {
                    done.TrySetResult();
                }
            }

            if (First.TrySetResult())
            {
                await Release.Task;
            }
        }
    }
}
