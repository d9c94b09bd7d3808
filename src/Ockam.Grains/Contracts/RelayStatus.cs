namespace Ockam.Grains.Contracts;

[GenerateSerializer, Immutable, Alias("ockam.relay-status")]
public sealed record RelayStatus(
    [property: Id(0)] string? Owner,
    [property: Id(1)] bool Online,
    [property: Id(2)] int Queued,
    [property: Id(3)] ulong NextSequence,
    [property: Id(4)] long QueuedBytes);
