using Ockam.Messaging.Api;

namespace Ockam.Grains.Contracts;

/// <summary>The grain of a <see cref="GroupId"/>: its kind picks the grain type, so a room and a topic of one name are two grains.</summary>
public static class GroupGrains
{
    public static IGroupLogGrain GetGroupLog(this IGrainFactory grains, GroupId group)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(group);
        return group.Kind == GroupKind.Topic ? grains.GetGrain<ITopicGrain>(group.Name) : grains.GetGrain<IGroupGrain>(group.Name);
    }
}
