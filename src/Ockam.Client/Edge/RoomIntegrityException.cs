using Ockam.Messaging.Api;

namespace Ockam.Client.Edge;

/// <summary>
/// What the log of <see cref="Group"/> showed that MLS does not allow, surfaced rather than dropped: the service (or
/// whoever stands in its place) forked the group, withheld a commit, or served an entry no member could have made.
/// The entry at <see cref="Index"/> is passed over; everything after it is read as usual.
/// </summary>
public sealed class RoomIntegrityException(GroupId group, RoomIntegrityError error, ulong index, string message) : Exception(message)
{
    public GroupId Group { get; } = group;

    public RoomIntegrityError Error { get; } = error;

    /// <summary>The log index of the entry that showed it.</summary>
    public ulong Index { get; } = index;
}
