namespace Ockam.Grains.Contracts;

/// <summary>
/// Tells every silo's gateway of a revocation within moments (key: the authority's name), so that channels
/// opened under a credential or identity that no longer stands are closed cluster-wide, not at the next
/// handshake. Subscriptions expire: gateways renew them (and re-read the list) periodically.
/// </summary>
[Alias("ockam.revocation-feed")]
public interface IRevocationFeedGrain : IGrainWithStringKey
{
    [Alias("subscribe")]
    Task SubscribeAsync(IRevocationObserver observer);

    [Alias("unsubscribe")]
    Task UnsubscribeAsync(IRevocationObserver observer);

    [Alias("publish")]
    Task PublishAsync(RevocationNotice notice);
}
