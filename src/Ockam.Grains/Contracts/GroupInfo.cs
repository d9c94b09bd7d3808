namespace Ockam.Grains.Contracts;

[GenerateSerializer, Immutable, Alias("ockam.group-info")]
public sealed record GroupInfo(
    [property: Id(0)] bool Exists,
    [property: Id(1)] ulong Epoch,
    [property: Id(2)] string[] Members,
    [property: Id(3)] string[] Admins,
    [property: Id(4)] ulong MessagesLogged);
