namespace Ockam.Grains.Groups;

/// <summary>Bounds of an MLS Delivery Service grain (<see cref="DeliveryServiceGrain"/>).</summary>
public sealed record DeliveryServiceOptions
{
    /// <summary>Log entries (commits and messages) kept for members who were away; the oldest go first.</summary>
    public int Retention { get; init; } = 1000;

    /// <summary>
    /// Bytes of log entries kept, whatever their count: the oldest go first (the newest always stays). A member
    /// further behind than the log reaches must be invited again.
    /// </summary>
    public int RetentionBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Bytes in one page of the log or one chunk of a tree: well under an API answer (200 KiB) inside a frame
    /// (256 KiB). A single larger log entry goes alone in its page.
    /// </summary>
    public int PageBytes { get; init; } = 96 * 1024;

    /// <summary>
    /// Bytes of Welcomes, with the ratchet trees of their epochs that their joiners fetch, kept for joiners who are
    /// away: the newest epochs that fit (the newest always). A tree of 1 000 members is about 300 KB, so a topic that
    /// admits 100 at a time keeps some 25 epochs of invitations; one of 10 000 is megabytes, so it keeps a few. A
    /// joiner whose epoch went must be invited again.
    /// </summary>
    public int KeptWelcomeBytes { get; init; } = 8 * 1024 * 1024;

    public int MaxMembers { get; init; } = 10_000;
}
