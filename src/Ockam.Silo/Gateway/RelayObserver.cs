using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;

namespace Ockam.Silo.Gateway;

/// <summary>
/// A relay owner's live connection on this silo: what the relay pushes goes down the owner's secure
/// channel to its <c>relay-inbox</c>. If the channel is gone, delivery fails and the relay keeps the messages. A relay
/// activation that goes says so, and <paramref name="going"/> connects the owner to the next one (each observer serves
/// one relay, so the name the notice carries is not needed). A group's entry that the relay pushed (rather than this
/// gateway, <see cref="PushAsync"/>) is handed to <paramref name="relayed"/> once it is down the channel.
/// </summary>
internal sealed class RelayObserver(Node node, Address channel, Action going, Action<RelayObserver, byte[]> relayed) : IRelayObserver
{
    /// <summary>
    /// How long a push waits for room in the owner's channel, under the push's own response timeout (5 s). Past it the
    /// push gives up as if it had timed out (the relay keeps its owner and redelivers), so it never outlives that
    /// timeout: pushes a relay sends after one timed out would otherwise queue behind it, in memory, for as long as the
    /// owner keeps its connection full.
    /// </summary>
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How often this connection tells one group's Delivery Service where it is (<see cref="ShouldTell"/>): once is
    /// enough while the service keeps the hint, and a service that keeps dropping it (it finds this gateway too slow)
    /// does not get it back, with the duplicates each drop may cost, on every entry.
    /// </summary>
    internal static readonly TimeSpan TellInterval = TimeSpan.FromSeconds(30);

    /// <summary>Groups told at most this many at once: a relay can route many groups; past it, the record starts again.</summary>
    private const int MaxTold = 64;

    private readonly Route inbox = Route.Of(channel, Address.Local(RelayDelivery.InboxAddress));

    /// <summary>The groups whose Delivery Service was last told about this connection, and when (timestamps of the node's clock).</summary>
    private readonly Dictionary<GroupId, long> told = [];

    public Address Channel => channel;

    public Task RelayGoingAsync(string relay)
    {
        going();
        return Task.CompletedTask;
    }

    /// <summary>
    /// A group's delivery to the owner listening on <paramref name="relay"/>, pushed as the relay itself pushes one
    /// (<see cref="IRelayGrain.NotifyAsync"/>: the same message, through <see cref="DeliverAsync"/>). Best effort: the
    /// group's log keeps the entry, and a member that missed it reads it there; so a push that finds the channel full
    /// past <see cref="Patience"/> is dropped.
    /// </summary>
    /// <exception cref="RoutingException">The channel is gone.</exception>
    public async Task PushAsync(string relay, byte[] envelope)
    {
        try
        {
            await SendAsync(relay, [new RelayedMessage(RelayDelivery.Unstored, 0, envelope, RelayOrigin.Service)]).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    public async Task DeliverAsync(string relay, IReadOnlyList<RelayedMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await SendAsync(relay, messages).ConfigureAwait(false);

        // A group's entry is the relay's only unstored message from the service (IRelayGrain.NotifyAsync).
        foreach (var message in messages)
        {
            if (message is { Sequence: RelayDelivery.Unstored, Origin: RelayOrigin.Service })
            {
                relayed(this, message.Envelope);
            }
        }
    }

    /// <summary>
    /// Whether to tell <paramref name="group"/>'s Delivery Service about this connection now, and if so, noted as told:
    /// at most once per <see cref="TellInterval"/>.
    /// </summary>
    public bool ShouldTell(GroupId group)
    {
        var timestamp = node.Time.GetTimestamp();
        lock (told)
        {
            if (told.TryGetValue(group, out var last) && node.Time.GetElapsedTime(last, timestamp) < TellInterval)
            {
                return false;
            }

            if (told.Count >= MaxTold)
            {
                told.Clear();
            }

            told[group] = timestamp;
            return true;
        }
    }

    private async Task SendAsync(string relay, IReadOnlyList<RelayedMessage> messages)
    {
        using var patience = new CancellationTokenSource(Patience, node.Time);
        try
        {
            foreach (var message in messages)
            {
                await node.SendAsync(new Message(inbox, Route.Empty, new RelayDelivery(relay, message.Sequence, message.Envelope, message.Origin == RelayOrigin.Service, message.Sender ?? string.Empty).Encode()), patience.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            throw new TimeoutException($"the owner's channel took nothing for {Patience.TotalSeconds:F0} s");
        }
    }
}
