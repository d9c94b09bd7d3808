using Ockam.Messaging.Api;

namespace Ockam.Grains.Contracts;

/// <summary>The Delivery Service of a <see cref="GroupId"/>: keyed by its typed value, so a room and a topic of one name are two grains.</summary>
public static class GroupGrains
{
    public static IDeliveryServiceGrain GetDeliveryService(this IGrainFactory grains, GroupId group)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(group);
        return grains.GetGrain<IDeliveryServiceGrain>(group.Value);
    }
}
