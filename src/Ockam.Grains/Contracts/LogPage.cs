namespace Ockam.Grains.Contracts;

/// <summary>
/// One page of a group's log, oldest first, at most <c>DeliveryServiceOptions.PageBytes</c> of entries (or a single
/// larger one), so that every page fits in one API answer. <see cref="More"/>: ask again after the last index.
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.log-page")]
public sealed record LogPage(
    [property: Id(0)] DeliveryOutcome Outcome,
    [property: Id(1)] LogEntry[] Entries,
    [property: Id(2)] bool More = false);
