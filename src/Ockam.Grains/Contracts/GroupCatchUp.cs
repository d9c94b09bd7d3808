namespace Ockam.Grains.Contracts;

[GenerateSerializer, Immutable, Alias("ockam.group-catch-up")]
public sealed record GroupCatchUp(
    [property: Id(0)] GroupOutcome Outcome,
    [property: Id(1)] byte[][] Commits,
    [property: Id(2)] ulong[] MessageIndexes,
    [property: Id(3)] byte[][] Messages);
