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
    /// Pushes <paramref name="envelope"/> (a group's delivery, which its log keeps) to each of <paramref name="relays"/>:
    /// down the connection through which the relay's owner last connected it at this gateway, as the relay would push
    /// it (<see cref="IRelayGrain.NotifyAsync"/>: sequence 0, from the service), and through the relay's grain for a
    /// relay this gateway no longer holds. Answers once the pushes are started, not done: a full member channel holds
    /// up no one. A Delivery Service whose call fails passes the entry to the relays' grains and asks this gateway no
    /// more.
    /// </summary>
    [Alias("deliver")]
    [ResponseTimeout("00:00:05")]
    Task DeliverAsync(byte[] envelope, string[] relays);
}
