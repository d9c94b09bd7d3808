using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;

namespace Ockam.Grains.Groups;

/// <summary>How the Delivery Service reaches members: through relays they own, best effort.</summary>
internal static class GroupFanOut
{
    /// <summary>
    /// Pushes <paramref name="delivery"/> to each relay named, live: the group's log is the durable copy, so a member
    /// whose connection is away reads what it missed from the log when it is back, and no relay stores (or is
    /// acknowledged) a second copy per member. The envelope is encoded once for all of them, and a gateway holding many
    /// of the relays gets it once for all of those; the relays' grains get it one-way. A gateway that cannot be reached
    /// (its silo died, say) is reported to <paramref name="unreachable"/>, and its relays get the entry through their
    /// grains, which know where their owners listen now.
    /// </summary>
    public static void Notify(FanOutTargets targets, GroupDelivery delivery, IGrainFactory grains, Action<IGroupGateway> unreachable)
    {
        var envelope = MessageCodec.Encode(new Message(Route.Of(Address.Local(GroupDelivery.InboxAddress)), Route.Empty, delivery.Encode()));
        foreach (var (gateway, relays) in targets.Gateways)
        {
            _ = DeliverAsync(gateway, relays, envelope, grains, unreachable);
        }

        foreach (var relay in targets.Relays)
        {
            _ = relay.NotifyAsync(envelope);
        }
    }

    private static async Task DeliverAsync(IGroupGateway gateway, string[] relays, byte[] envelope, IGrainFactory grains, Action<IGroupGateway> unreachable)
    {
        try
        {
            await gateway.DeliverAsync(envelope, relays).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            unreachable(gateway);
            foreach (var relay in relays)
            {
                _ = grains.GetGrain<IRelayGrain>(relay).NotifyAsync(envelope);
            }
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
