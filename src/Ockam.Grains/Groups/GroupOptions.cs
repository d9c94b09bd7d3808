namespace Ockam.Grains.Groups;

public sealed record GroupOptions
{
    /// <summary>Messages a room (or topic) keeps for members who were away (DESIGN §12: topic retention 1 000).</summary>
    public int Retention { get; init; } = 1000;

    /// <summary>Commits kept; a member further behind must be invited again.</summary>
    public int CommitRetention { get; init; } = 64;

    public int MaxMembers { get; init; } = 10_000;
}
