namespace Ockam.Grains.Groups;

/// <summary>
/// The group's public MLS state and what changes only with a commit: the encoded GroupContext, ratchet tree and
/// interim transcript hash, the policies, and the Welcomes with the trees their joiners fetch. Kept apart from the
/// log and the routes, since a tree of 10 000 members is megabytes and must not be rewritten for every message.
/// </summary>
[GenerateSerializer, Alias("ockam.delivery-group-state")]
internal sealed record DeliveryGroupState
{
    /// <summary>The encoded GroupContext; empty until the group is created.</summary>
    [Id(0)]
    public byte[] Context { get; init; } = [];

    /// <summary>The encoded RatchetTree of the current epoch.</summary>
    [Id(1)]
    public byte[] Tree { get; init; } = [];

    [Id(2)]
    public byte[] InterimTranscriptHash { get; init; } = [];

    /// <summary>A topic's ABAC policies (sources), enforced by the gateway; null for a plain room.</summary>
    [Id(3)]
    public string? SubscribePolicy { get; init; }

    [Id(4)]
    public string? PublishPolicy { get; init; }

    /// <summary>Welcomes of recent epochs, oldest first.</summary>
    [Id(5)]
    public List<KeptWelcome> Welcomes { get; init; } = [];

    /// <summary>The trees of past epochs that kept Welcomes are of (the current epoch's is <see cref="Tree"/>).</summary>
    [Id(6)]
    public List<KeptTree> Trees { get; init; } = [];
}

/// <summary>A Welcome (MLSMessage bytes) to <see cref="Epoch"/>, for the identifiers of <see cref="Joiners"/>, sent with the commit at <see cref="CommitIndex"/>.</summary>
[GenerateSerializer, Alias("ockam.kept-welcome")]
internal sealed record KeptWelcome(
    [property: Id(0)] ulong Epoch,
    [property: Id(1)] ulong CommitIndex,
    [property: Id(2)] byte[] Welcome,
    [property: Id(3)] List<string> Joiners);

/// <summary>The encoded ratchet tree of a past epoch.</summary>
[GenerateSerializer, Alias("ockam.kept-tree")]
internal sealed record KeptTree([property: Id(0)] ulong Epoch, [property: Id(1)] byte[] Tree);
