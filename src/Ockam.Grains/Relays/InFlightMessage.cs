namespace Ockam.Grains.Relays;

/// <summary>A stored message pushed to the owner's connection and not yet acknowledged: its envelope's bytes (for the window) and when it went (for redelivery).</summary>
internal readonly record struct InFlightMessage(int Bytes, DateTimeOffset PushedAt);
