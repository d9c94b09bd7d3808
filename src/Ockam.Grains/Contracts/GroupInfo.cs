namespace Ockam.Grains.Contracts;

[GenerateSerializer, Immutable, Alias("ockam.group-info")]
public sealed record GroupInfo(
    [property: Id(0)] bool Exists,
    [property: Id(1)] ulong Epoch,
    [property: Id(2)] string[] Members,
    [property: Id(3)] string[] Admins,
    [property: Id(4)] ulong MessagesLogged,
    [property: Id(5)] string? SubscribePolicy,
    [property: Id(6)] string? PublishPolicy,
    [property: Id(7)] string[] Pending,
    [property: Id(8)] string?[] PendingRelays);
