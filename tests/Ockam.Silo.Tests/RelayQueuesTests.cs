using Microsoft.Extensions.Logging.Abstractions;
using Ockam.Grains.Contracts;
using Ockam.Silo.Gateway;

namespace Ockam.Silo.Tests;

/// <summary>The relay hop's queues: each sender holds no more than its share of them.</summary>
public sealed class RelayQueuesTests
{
    /// <summary>
    /// Mallory keeps relays of her own stuck (she reads nothing pushed to them, so their hand-overs take their patience)
    /// and keeps sending to them. She fills her share of the hop and waits; Alice's reading to her phone's relay still
    /// finds room at once. Fails without the share: Mallory's relays took the whole hop, and every other pair's messages
    /// waited in their senders' channels behind hers.
    /// </summary>
    [Fact]
    public async Task One_sender_holds_no_more_than_its_share_of_the_relay_hop()
    {
        var limits = new EdgeGatewayOptions { RelayQueueMessages = 4, RelayQueuesMessages = 16, RelaySenderMessages = 8 };
        var stuck = new TaskCompletionSource();
        using var queues = new RelayQueues(limits, (relay, _) => relay.StartsWith("mallory", StringComparison.Ordinal) ? stuck.Task : Task.CompletedTask, TimeProvider.System, NullLogger.Instance);

        var mallorys = Enumerable.Range(0, 16)
            .Select(i => queues.EnqueueAsync($"mallory-{i / 4}", new RelayedEnvelope([1], 0, "mallory"), CancellationToken.None).AsTask())
            .ToList();
        await Task.Delay(200);
        Assert.Equal(limits.RelaySenderMessages, mallorys.Count(t => t.IsCompletedSuccessfully));

        await queues.EnqueueAsync("phone", new RelayedEnvelope([2], 0, "alice"), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        // Once her relays take their messages again, hers go through too.
        stuck.SetResult();
        await Task.WhenAll(mallorys).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
