namespace Ockam.Grains.Contracts;

/// <summary>
/// One page of a catch-up: commits after the asked epoch (oldest first), then messages after the asked index
/// (oldest first), at most <c>GroupOptions.CatchUpPageBytes</c> of them (or a single larger one), so that every
/// page fits in one API answer. <see cref="More"/>: ask again after the last commit's epoch and message index.
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.group-catch-up")]
public sealed record GroupCatchUp(
    [property: Id(0)] GroupOutcome Outcome,
    [property: Id(1)] byte[][] Commits,
    [property: Id(2)] ulong[] MessageIndexes,
    [property: Id(3)] byte[][] Messages,
    [property: Id(4)] bool More = false);
