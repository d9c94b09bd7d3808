namespace Ockam.Grains.Contracts;

/// <summary>The answer to an application message: its <see cref="Index"/> in the log when accepted.</summary>
[GenerateSerializer, Immutable, Alias("ockam.send-result")]
public sealed record SendResult([property: Id(0)] DeliveryOutcome Outcome, [property: Id(1)] ulong Index = 0);
