namespace Ockam.Grains.Contracts;

/// <summary>Where a relay pushes messages while its owner is connected: the gateway holding the owner's channel.</summary>
[Alias("ockam.relay-observer")]
public interface IRelayObserver : IGrainObserver
{
    /// <remarks>
    /// Its own response timeout, well under Orleans' default of 30 s: the relay grain awaits each push in its turn, so a
    /// push to a connection whose silo died unanswered would otherwise hold the relay that long, and the owner's new
    /// connection through another silo would wait behind it. A push that times out keeps the owner and is redelivered
    /// (<see cref="Relays.RelayGrain"/>), so a slow but live connection loses nothing by the shorter bound.
    /// </remarks>
    [Alias("deliver")]
    [ResponseTimeout("00:00:05")]
    Task DeliverAsync(string relay, IReadOnlyList<RelayedMessage> messages);
}
