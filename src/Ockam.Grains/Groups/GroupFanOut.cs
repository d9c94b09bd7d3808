using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;

namespace Ockam.Grains.Groups;

/// <summary>How the Delivery Service reaches members: through relays they own, best effort.</summary>
internal static class GroupFanOut
{
    /// <summary>Sends <paramref name="delivery"/> to each relay named (nulls skipped); a relay that refuses (full, unknown) leaves its member to read the log.</summary>
    public static Task SendAsync(IGrainFactory grains, IEnumerable<string?> relays, GroupDelivery delivery)
    {
        var envelope = MessageCodec.Encode(new Message(Route.Of(Address.Local(GroupDelivery.InboxAddress)), Route.Empty, delivery.Encode()));
        return Task.WhenAll(relays.OfType<string>().Distinct().Select(r => grains.GetGrain<IRelayGrain>(r).SendAsync(envelope, 0, RelayOrigin.Service)));
    }

    /// <summary>
    /// Fan-out goes only to a relay its member owns: otherwise a group would fill a stranger's mailbox. Relay names
    /// are claimed once and never change hands, so checking when a relay is named is enough; an unclaimed name is
    /// refused too (whoever claims it later would get the group's traffic).
    /// </summary>
    public static async Task<bool> OwnsAsync(IGrainFactory grains, string member, string? relay) =>
        relay is null || (await grains.GetGrain<IRelayGrain>(relay).GetStatusAsync()).Owner == member;
}
