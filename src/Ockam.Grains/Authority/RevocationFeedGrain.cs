using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;
using Orleans.Utilities;

namespace Ockam.Grains.Authority;

/// <inheritdoc cref="IRevocationFeedGrain"/>
/// <remarks>
/// Holds no state: a notice missed while the feed was re-activating is caught up by each gateway's periodic
/// refresh of the revocation list, which closes the same channels.
/// </remarks>
internal sealed partial class RevocationFeedGrain(ILogger<RevocationFeedGrain> logger) : Grain, IRevocationFeedGrain
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

    /// <remarks>
    /// Every gateway at once, not one after another: a gateway that is slow to answer, or whose silo died and has not
    /// yet been declared dead (its subscription lives on until it expires), would otherwise hold every gateway after it
    /// for its whole response timeout, and the revoked members' channels there open meanwhile. One that fails is
    /// dropped; its periodic refresh subscribes it again and catches up.
    /// </remarks>
    public Task PublishAsync(RevocationNotice notice)
    {
        observers.ClearExpired();
        return Task.WhenAll(observers.Observers.Select(async subscriber =>
        {
            try
            {
                await subscriber.Value.RevokedAsync(notice);
            }
            catch (Exception e)
            {
                LogGatewayUnreachable(logger, e);
                observers.Unsubscribe(subscriber.Key);
            }
        }));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "a gateway did not take a revocation notice; it catches up at its next refresh")]
    private static partial void LogGatewayUnreachable(ILogger logger, Exception exception);
}
