namespace Ockam.Grains.Contracts;

/// <summary>
/// Serials reserved for one issuer, <paramref name="First"/> to <paramref name="First"/> + <paramref name="Count"/> - 1: stored as
/// given out before it was handed over, so no other block ever holds them, before or after a restart.
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.serial-block")]
public readonly record struct SerialBlock([property: Id(0)] ulong First, [property: Id(1)] int Count);
