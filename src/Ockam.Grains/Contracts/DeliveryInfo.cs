namespace Ockam.Grains.Contracts;

/// <summary>
/// A group as its Delivery Service sees it: epoch, members and admins (identifiers), joiners waiting, policies, and
/// <see cref="MessagesLogged"/>, the index of the log's last entry (commits and messages are numbered together).
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.delivery-info")]
public sealed record DeliveryInfo(
    [property: Id(0)] bool Exists,
    [property: Id(1)] ulong Epoch,
    [property: Id(2)] string[] Members,
    [property: Id(3)] string[] Admins,
    [property: Id(4)] string[] Pending,
    [property: Id(5)] string? SubscribePolicy,
    [property: Id(6)] string? PublishPolicy,
    [property: Id(7)] ulong MessagesLogged);
