namespace Ockam.Grains.Groups;

/// <summary>
/// Where each member's deliveries go (a relay it owns), and the joiners waiting for an admin's commit: changed by
/// members' own requests, so kept apart from the tree.
/// </summary>
[GenerateSerializer, Alias("ockam.delivery-routes")]
internal sealed record DeliveryRoutes
{
    [Id(0)]
    public Dictionary<string, string> Relays { get; init; } = [];

    [Id(1)]
    public List<PendingJoin> Pending { get; init; } = [];
}
