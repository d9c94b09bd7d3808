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
    /// is acknowledged) a second copy per member. The envelope is encoded once for all of them, and a gateway holding
    /// many of the relays gets it once for all of those.
    /// </summary>
    public static void Notify(FanOutTargets targets, GroupDelivery delivery)
    {
        var envelope = MessageCodec.Encode(new Message(Route.Of(Address.Local(GroupDelivery.InboxAddress)), Route.Empty, delivery.Encode()));
        foreach (var (gateway, relays) in targets.Gateways)
        {
            _ = gateway.DeliverAsync(envelope, relays);
        }

        foreach (var relay in targets.Relays)
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
