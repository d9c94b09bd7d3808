namespace Ockam.Grains.Contracts;

/// <summary>Where a relay pushes messages while its owner is connected: the gateway holding the owner's channel.</summary>
[Alias("ockam.relay-observer")]
public interface IRelayObserver : IGrainObserver
{
    [Alias("deliver")]
    Task DeliverAsync(string relay, IReadOnlyList<RelayedMessage> messages);
}
