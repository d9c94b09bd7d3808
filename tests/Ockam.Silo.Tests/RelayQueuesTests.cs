using Microsoft.Extensions.Logging.Abstractions;
using Ockam.Silo.Gateway;

namespace Ockam.Silo.Tests;

/// <summary>
/// The relay hop's lanes, with hand-overs the test completes itself: a relay's messages go to its grain several at a
/// time (a grain taking one message per round trip bounded a pair at a few hundred a second), never more than the
/// bound, always in the order they were queued, and a relay that takes nothing holds up no other relay.
/// </summary>
public sealed class RelayQueuesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_relay_is_handed_several_messages_at_once_up_to_the_bound_in_the_order_they_were_queued()
    {
        var grain = new HeldHandOvers();
        using var queues = new RelayQueues(new EdgeGatewayOptions { RelayHandOversInFlight = 4, RelayQueueMessages = 64 }, grain.HandOverAsync, NullLogger.Instance);

        for (var i = 0; i < 10; i++)
        {
            await queues.EnqueueAsync("phone", Entry(i), CancellationToken.None);
        }

        // The first goes alone (until one has reached the grain, calls may overtake each other on their way).
        Assert.Equal([0], grain.Started("phone"));

        // Once it is taken, four are on their way together, the rest wait their turn.
        grain.CompleteAll("phone");
        await grain.WaitForStartedAsync("phone", 5);
        Assert.Equal([0, 1, 2, 3, 4], grain.Started("phone"));

        grain.CompleteAll("phone");
        await grain.WaitForStartedAsync("phone", 9);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8], grain.Started("phone"));

        grain.CompleteAll("phone");
        await grain.WaitForStartedAsync("phone", 10);
        grain.CompleteAll("phone");
        Assert.Equal(Enumerable.Range(0, 10), grain.Started("phone"));
        Assert.Equal(4, grain.MostAtOnce("phone"));
    }

    [Fact]
    public async Task A_relay_that_takes_nothing_holds_up_its_own_senders_and_no_other_relay()
    {
        var grain = new HeldHandOvers();
        using var queues = new RelayQueues(new EdgeGatewayOptions { RelayHandOversInFlight = 2, RelayQueueMessages = 3 }, grain.HandOverAsync, NullLogger.Instance);

        for (var i = 0; i < 3; i++)
        {
            await queues.EnqueueAsync("stuck", Entry(i), CancellationToken.None);
        }

        // Its lane is full (one on its way, two waiting): its next sender waits.
        var blocked = queues.EnqueueAsync("stuck", Entry(3), CancellationToken.None).AsTask();
        Assert.False(blocked.IsCompleted);

        // Another relay's messages go through meanwhile.
        for (var i = 0; i < 20; i++)
        {
            await queues.EnqueueAsync("phone", Entry(i), CancellationToken.None);
            grain.CompleteAll("phone");
        }

        await grain.TakeAllAsync("phone", 20);
        Assert.Equal(Enumerable.Range(0, 20), grain.Started("phone"));
        Assert.False(blocked.IsCompleted);

        // Once the stuck relay takes one, its sender gets in, and its messages still go in order.
        grain.CompleteAll("stuck");
        await blocked.WaitAsync(Wait);
        await grain.TakeAllAsync("stuck", 4);
        Assert.Equal([0, 1, 2, 3], grain.Started("stuck"));
    }

    [Fact]
    public void No_hand_overs_on_their_way_is_refused_rather_than_a_hop_that_never_hands_anything_over() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RelayQueues(new EdgeGatewayOptions { RelayHandOversInFlight = 0 }, (_, _) => Task.CompletedTask, NullLogger.Instance));

    private static RelayQueues.Entry Entry(int n) => new([(byte)n], 0, "sender");

    /// <summary>A stand-in for relay grains: records each hand-over as it starts and holds it until the test completes it.</summary>
    private sealed class HeldHandOvers
    {
        private readonly Lock gate = new();
        private readonly Dictionary<string, List<int>> started = [];
        private readonly Dictionary<string, List<TaskCompletionSource>> held = [];
        private readonly Dictionary<string, int> mostAtOnce = [];

        public Task HandOverAsync(string relay, RelayQueues.Entry entry)
        {
            var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (gate)
            {
                List(started, relay).Add(entry.Envelope[0]);
                var holding = List(held, relay);
                holding.Add(taken);
                mostAtOnce[relay] = Math.Max(mostAtOnce.GetValueOrDefault(relay), holding.Count);
            }

            return taken.Task;
        }

        public List<int> Started(string relay)
        {
            lock (gate)
            {
                return [.. List(started, relay)];
            }
        }

        public int MostAtOnce(string relay)
        {
            lock (gate)
            {
                return mostAtOnce.GetValueOrDefault(relay);
            }
        }

        public void CompleteAll(string relay)
        {
            List<TaskCompletionSource> taking;
            lock (gate)
            {
                taking = [.. List(held, relay)];
                List(held, relay).Clear();
            }

            taking.ForEach(t => t.SetResult());
        }

        /// <summary>Completes whatever the relay is handed until <paramref name="count"/> hand-overs have started, and completes those too.</summary>
        public async Task TakeAllAsync(string relay, int count)
        {
            using var timeout = new CancellationTokenSource(Wait);
            while (true)
            {
                CompleteAll(relay);
                if (Started(relay).Count >= count)
                {
                    CompleteAll(relay);
                    return;
                }

                await Task.Delay(10, timeout.Token);
            }
        }

        public async Task WaitForStartedAsync(string relay, int count)
        {
            using var timeout = new CancellationTokenSource(Wait);
            while (Started(relay).Count < count)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        private static List<T> List<T>(Dictionary<string, List<T>> lists, string relay)
        {
            if (!lists.TryGetValue(relay, out var list))
            {
                lists[relay] = list = [];
            }

            return list;
        }
    }
}
