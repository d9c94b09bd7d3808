using Ockam.Grains.Contracts;

namespace Ockam.Grains.GroupLog;

/// <summary>
/// One commit or application message to append at <paramref name="Index"/>: the epoch it is of, and for a commit the
/// identifiers it removed (each may read that one commit, to learn it is out).
/// </summary>
internal sealed record GroupLogEntry(ulong Index, ulong Epoch, LogEntryKind Kind, byte[] Bytes, IReadOnlyList<string> Removed);
