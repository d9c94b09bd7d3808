using Microsoft.Extensions.Time.Testing;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Routing;
using Ockam.Silo.Gateway;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests;

/// <summary>A push to an owner whose channel takes nothing gives up within its patience, as a timeout.</summary>
public sealed class RelayObserverTests
{
    /// <summary>
    /// The owner's channel is full and never drains (its owner stopped reading). The push gives up once its patience
    /// has passed on the gateway's clock, and says it timed out (the relay keeps its owner). Fails if the push waits for
    /// room for ever: then it outlives its response timeout, and every later push of the relay queues in memory behind it.
    /// </summary>
    [Fact]
    public async Task A_push_to_a_channel_that_takes_nothing_times_out_within_its_patience()
    {
        var time = new FakeTimeProvider();
        await using var node = new Node(new NodeOptions { Time = time, MailboxCapacity = 1 });
        var channel = Address.Local("owner-channel");
        var owner = new NeverReads();
        node.StartWorker(channel, owner);

        var pushing = new RelayObserver(node, channel, () => { }, (_, _) => { }).DeliverAsync("phone", [.. Enumerable.Range(0, 4).Select(i => new RelayedMessage((ulong)i + 1, 0, [(byte)i], RelayOrigin.Peer, "monitor"))]);
        await owner.Taken.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(pushing.IsCompleted);

        time.Advance(RelayObserver.Patience);
        await Eventually.TrueAsync(() => pushing.IsCompleted, TimeSpan.FromSeconds(10));
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => pushing);
        Assert.Contains("took nothing", timedOut.Message, StringComparison.Ordinal);
    }
}
