using Ockam.Grains.Contracts;

namespace Ockam.Grains.GroupLog;

/// <summary>One page of a group's log, oldest first; <paramref name="More"/> when the page stopped at its bounds rather than at the end.</summary>
internal sealed record GroupLogPage(IReadOnlyList<LogEntry> Entries, bool More)
{
    /// <summary>What one entry costs in an API answer besides its bytes (index, epoch, kind, headers), counted in a page's bound.</summary>
    public const int EntryOverhead = 32;
}
