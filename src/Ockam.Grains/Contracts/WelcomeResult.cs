namespace Ockam.Grains.Contracts;

/// <summary>
/// A Welcome kept for a joiner: its MLSMessage bytes, the epoch it admits to, the log index of the commit that added
/// the joiner (it reads the log after it), and the length of that epoch's encoded ratchet tree, fetched in chunks.
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.welcome-result")]
public sealed record WelcomeResult(
    [property: Id(0)] byte[] Welcome,
    [property: Id(1)] ulong Epoch,
    [property: Id(2)] ulong CommitIndex,
    [property: Id(3)] int TreeLength);
