namespace Ockam.Grains.Groups;

public sealed record GroupOptions
{
    /// <summary>Messages a room (or topic) keeps for members who were away (DESIGN §12: topic retention 1 000).</summary>
    public int Retention { get; init; } = 1000;

    /// <summary>
    /// Bytes of messages a room (or topic) keeps, whatever their count: the oldest go first. Without it 1 000
    /// messages of up to 128 KiB would make a 128 MiB grain state, rewritten on every message.
    /// </summary>
    public int RetentionBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Commits kept; a member further behind must be invited again.</summary>
    public int CommitRetention { get; init; } = 64;

    /// <summary>
    /// Bytes of commits and messages in one catch-up page: well under an API answer (200 KiB) inside a frame
    /// (256 KiB), so no page is ever too large to send. A single larger item goes alone in its page.
    /// </summary>
    public int CatchUpPageBytes { get; init; } = 96 * 1024;

    public int MaxMembers { get; init; } = 10_000;
}
