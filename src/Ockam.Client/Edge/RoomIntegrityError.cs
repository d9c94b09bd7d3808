namespace Ockam.Client.Edge;

public enum RoomIntegrityError
{
    /// <summary>Two different commits for one epoch: members were shown different groups.</summary>
    Fork,

    /// <summary>An entry of a later epoch than this member is in: the commit that leads there was withheld from it.</summary>
    WithheldCommit,

    /// <summary>An entry that does not verify or decrypt in its epoch (forged, replayed, or of an epoch already left).</summary>
    Unreadable,
}
