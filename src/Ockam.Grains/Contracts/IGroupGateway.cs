using Orleans.Concurrency;

namespace Ockam.Grains.Contracts;

/// <summary>
/// A silo's edge gateway, as Delivery Services reach the members whose relays are connected through it: one call per
/// log entry carries the entry once with the relays it goes to. A call per member relay, and each relay's own call to
/// the gateway, were most of the silo's CPU per delivery.
/// </summary>
[Alias("ockam.group-gateway")]
public interface IGroupGateway : IGrainObserver
{
    /// <summary>
    /// Pushes <paramref name="envelope"/> (a group's delivery, which its log keeps) to each of <paramref name="relays"/>
    /// exactly as the relay would (<see cref="IRelayGrain.NotifyAsync"/>): to the owner's connection that listens on it
    /// here, and through the relay's grain for one that listens elsewhere now. One-way, as that call is: the Delivery
    /// Service never waits on a member.
    /// </summary>
    [Alias("deliver"), OneWay]
    Task DeliverAsync(byte[] envelope, string[] relays);
}
