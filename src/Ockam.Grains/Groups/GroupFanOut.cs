using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;

namespace Ockam.Grains.Groups;

/// <summary>How the Delivery Service reaches members: through relays they own, best effort.</summary>
internal static class GroupFanOut
{
    /// <summary>
    /// Pushes <paramref name="delivery"/> to each relay named, live and one-way: the group's log is the durable copy,
    /// so a member whose connection is away reads what it missed from the log when it is back, and no relay stores (or
    /// is acknowledged) a second copy per member. The envelope is encoded once for all of them.
    /// </summary>
    public static void Notify(IReadOnlyList<IRelayGrain> relays, GroupDelivery delivery)
    {
        var envelope = MessageCodec.Encode(new Message(Route.Of(Address.Local(GroupDelivery.InboxAddress)), Route.Empty, delivery.Encode()));
        foreach (var relay in relays)
        {
            _ = relay.NotifyAsync(envelope);
        }
    }

    /// <summary>
    /// Fan-out goes only to a relay its member owns: otherwise a group would fill a stranger's mailbox. Relay names
    /// are claimed once and never change hands, so checking when a relay is named is enough; an unclaimed name is
    /// refused too (whoever claims it later would get the group's traffic).
    /// </summary>
    public static async Task<bool> OwnsAsync(IGrainFactory grains, string member, string? relay) =>
        relay is null || (await grains.GetGrain<IRelayGrain>(relay).GetStatusAsync()).Owner == member;
}
