namespace Ockam.Grains.Groups;

[GenerateSerializer, Alias("ockam.group-state")]
internal sealed record GroupState
{
    [Id(0)]
    public ulong Epoch { get; init; }

    [Id(1)]
    public List<RoomMember> Members { get; init; } = [];

    /// <summary>Recent commits, oldest first (bounded): members who were away apply them in order.</summary>
    [Id(2)]
    public List<LoggedCommit> Commits { get; init; } = [];

    /// <summary>Recent messages with their indexes, oldest first (bounded retention).</summary>
    [Id(3)]
    public List<LoggedMessage> Messages { get; init; } = [];

    [Id(4)]
    public ulong NextIndex { get; init; } = 1;

    /// <summary>A topic's ABAC policies (sources), enforced by the gateway; null for a plain room.</summary>
    [Id(5)]
    public string? SubscribePolicy { get; init; }

    [Id(6)]
    public string? PublishPolicy { get; init; }

    /// <summary>Subscribers the policy admitted, waiting for an admin's commit to seal them the epoch secret.</summary>
    [Id(7)]
    public List<PendingJoin> Pending { get; init; } = [];
}

[GenerateSerializer, Alias("ockam.pending-join")]
internal sealed record PendingJoin([property: Id(0)] string Identifier, [property: Id(1)] string? Relay);

[GenerateSerializer, Alias("ockam.room-member")]
internal sealed record RoomMember(
    [property: Id(0)] string Identifier,
    [property: Id(1)] byte[] AgreementKey,
    [property: Id(2)] byte[] SigningKey,
    [property: Id(3)] bool Admin,
    [property: Id(4)] string? Relay);

/// <summary>A commit with its epoch, so that catching up does not decode every commit kept.</summary>
[GenerateSerializer, Alias("ockam.logged-commit")]
internal sealed record LoggedCommit([property: Id(0)] ulong Epoch, [property: Id(1)] byte[] Commit);

[GenerateSerializer, Alias("ockam.logged-message")]
internal sealed record LoggedMessage([property: Id(0)] ulong Index, [property: Id(1)] byte[] Message);
