using Orleans.Concurrency;

namespace Ockam.Grains.Contracts;

/// <summary>Where a relay pushes messages while its owner is connected: the gateway holding the owner's channel.</summary>
[Alias("ockam.relay-observer")]
public interface IRelayObserver : IGrainObserver
{
    /// <remarks>
    /// Its own response timeout, well under Orleans' default of 30 s: the relay grain awaits each push in its turn, so a
    /// push to a connection whose silo died unanswered would otherwise hold the relay that long, and the owner's new
    /// connection through another silo would wait behind it. The price: an owner's connection that takes no data for
    /// more than 5 s (its TCP window full) loses the pushes queued behind the slow one (Orleans drops a call whose time
    /// to live, this timeout, has passed). A push that times out keeps the owner; stored messages come again with the
    /// redelivery (<see cref="Relays.RelayGrain"/>), a room's or topic's entries are read from the log, a portal's
    /// stream breaks and is opened again.
    /// </remarks>
    [Alias("deliver")]
    [ResponseTimeout("00:00:05")]
    Task DeliverAsync(string relay, IReadOnlyList<RelayedMessage> messages);

    /// <summary>
    /// <paramref name="relay"/>'s activation is going while this connection listens — collected once idle past
    /// Orleans' collection age, deactivated because the silo holding its directory entry died, or its silo stopping —
    /// and its next activation will know no connection: the gateway connects the owner to it again, as the owner's
    /// node, whose own connection is fine, has no reason to. One-way: an activation going waits on no one.
    /// </summary>
    [Alias("relay-going"), OneWay]
    Task RelayGoingAsync(string relay);
}
