namespace Ockam.Grains.Contracts;

/// <summary>
/// The answer to a commit: its <see cref="Index"/> in the log when accepted; on a <see cref="DeliveryOutcome.Conflict"/>
/// for an epoch already decided, the commit that won it (<see cref="Winner"/>, while the log keeps it), which the
/// committer applies instead of its own.
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.commit-result")]
public sealed record CommitResult(
    [property: Id(0)] DeliveryOutcome Outcome,
    [property: Id(1)] ulong Index = 0,
    [property: Id(2)] byte[]? Winner = null);
