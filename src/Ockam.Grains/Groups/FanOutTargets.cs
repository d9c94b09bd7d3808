using Ockam.Grains.Contracts;

namespace Ockam.Grains.Groups;

/// <summary>Where one entry's fan-out goes: each gateway with the relays connected through it, and the other relays' grains.</summary>
internal sealed record FanOutTargets(IReadOnlyList<(IGroupGateway Gateway, string[] Relays)> Gateways, IReadOnlyList<IRelayGrain> Relays);
