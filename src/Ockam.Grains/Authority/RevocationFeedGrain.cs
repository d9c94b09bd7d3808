using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;
using Orleans.Utilities;

namespace Ockam.Grains.Authority;

/// <inheritdoc cref="IRevocationFeedGrain"/>
/// <remarks>
/// Holds no state: a notice missed while the feed was re-activating is caught up by each gateway's periodic
/// refresh of the revocation list, which closes the same channels.
/// </remarks>
internal sealed class RevocationFeedGrain(ILogger<RevocationFeedGrain> logger) : Grain, IRevocationFeedGrain
{
    /// <summary>Gateways renew well within this.</summary>
    internal static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(3);

    private readonly ObserverManager<IRevocationObserver> observers = new(SubscriptionLifetime, logger);

    public Task SubscribeAsync(IRevocationObserver observer)
    {
        observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IRevocationObserver observer)
    {
        observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task PublishAsync(RevocationNotice notice) => observers.Notify(o => o.RevokedAsync(notice));
}
