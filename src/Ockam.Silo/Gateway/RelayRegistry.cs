using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Silo.Telemetry;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The relay observers this silo holds for its edge connections: named relays their owners listen on,
/// and each connection's reply relay (so that answers find it whichever silo they come from). Observers
/// are held strongly here (Orleans keeps only weak references) and released when their channel closes.
/// Renewals still trying end with the gateway (<c>stopping</c>). It is also the gateway Delivery Services reach
/// these relays' owners through (<see cref="IGroupGateway"/>, <see cref="Groups"/>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The renewals' semaphore is never asked for its wait handle, the one thing its Dispose frees; disposing it would race the renewals still ending as the gateway stops.")]
internal sealed partial class RelayRegistry(IGrainFactory grains, Node node, TimeProvider time, ILogger<RelayRegistry> logger, CancellationToken stopping) : IGroupGateway
{
    /// <summary>How a connection's reply relay's name begins; no identity may claim such a name for itself.</summary>
    public const string ReplyRelayPrefix = "conn.";

    /// <summary>
    /// Renewals at once, after a silo's death or as activations go (a silo stopping, or idle collection, goes through
    /// many at a time): enough to be quick, few enough not to flood the cluster and its database.
    /// </summary>
    private const int RenewConcurrency = 32;

    /// <summary>
    /// How long a renewal keeps trying (a relay may not be reachable yet: its grain's directory entry or its storage is
    /// still moving off the dead silo, or its last activation still going), from 0.25 s between tries, doubling to 4 s.
    /// </summary>
    private static readonly TimeSpan RenewPatience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FirstRenewDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRenewDelay = TimeSpan.FromSeconds(4);

    private readonly string gatewayId = Guid.NewGuid().ToString("n")[..12];
    private readonly ConcurrentDictionary<(string Relay, Address Channel), (RelayObserver Observer, IRelayObserver Reference, Identifier Owner)> observers = new();
    private readonly ConcurrentDictionary<Address, string> replyRelays = new();
    private readonly ConcurrentDictionary<Identifier, string> namedRelays = new();
    private readonly SemaphoreSlim renewing = new(RenewConcurrency);

    /// <summary>The observer each relay last connected here, for group deliveries (<see cref="DeliverAsync"/>).</summary>
    private readonly ConcurrentDictionary<string, RelayObserver> listening = new(StringComparer.Ordinal);

    private IGroupGateway? groups;

    /// <summary>This gateway, as Delivery Services reach it: named to them with the relays connected here.</summary>
    public IGroupGateway Groups => LazyInitializer.EnsureInitialized(ref groups, () => grains.CreateObjectReference<IGroupGateway>(this));

    /// <summary>Whether <paramref name="relay"/>'s owner listens on it through this gateway.</summary>
    public bool Listens(string relay) => listening.ContainsKey(relay);

    /// <summary>The owner listening on <paramref name="relay"/> through the channel whose silo-side address is <paramref name="channel"/>.</summary>
    public async Task<RelayOutcome> ListenAsync(string relay, Identifier owner, Address channel)
    {
        var entry = observers.GetOrAdd((relay, channel), key =>
        {
            var observer = new RelayObserver(node, key.Channel, () => Reconnect(key.Relay, key.Channel), (held, envelope) => Relayed(key.Relay, held, envelope));
            return (observer, grains.CreateObjectReference<IRelayObserver>(observer), owner);
        });
        var outcome = await ConnectAsync(relay, channel, entry.Reference, owner).ConfigureAwait(false);
        if (outcome == RelayOutcome.Ok)
        {
            // Group deliveries given here go down the connection that connected the relay here last, while it holds
            // it: a close that ran while the relay was connecting has released it already.
            if (Holds(relay, channel, entry.Reference))
            {
                listening[relay] = entry.Observer;
            }

            if (!relay.StartsWith(ReplyRelayPrefix, StringComparison.Ordinal))
            {
                namedRelays[owner] = relay;
            }
        }

        return outcome;
    }

    /// <summary>Connects <paramref name="owner"/>'s observer to its relay; one the relay refuses is released.</summary>
    private async Task<RelayOutcome> ConnectAsync(string relay, Address channel, IRelayObserver reference, Identifier owner)
    {
        var outcome = await grains.GetGrain<IRelayGrain>(relay).ConnectAsync(owner.ToString(), reference).ConfigureAwait(false);
        if (outcome != RelayOutcome.Ok)
        {
            Release(relay, channel);
        }

        return outcome;
    }

    /// <summary>
    /// Where replies to <paramref name="owner"/> go: a named relay it listens on — durable, so replies wait
    /// for it while it is offline and find it on whichever silo it returns to — or else its connection's
    /// own reply relay, created on first use, which lives as long as the connection.
    /// </summary>
    public async Task<string> ReplyRelayAsync(Identifier owner, Address channel)
    {
        if (namedRelays.TryGetValue(owner, out var named))
        {
            return named;
        }

        if (replyRelays.TryGetValue(channel, out var known))
        {
            return known;
        }

        // Random, not derived from the channel's address: the name travels to peers in return routes.
        var name = Address.RandomLocal($"{ReplyRelayPrefix}{gatewayId}").ValueText;
        await grains.GetGrain<IRelayGrain>(name).ClaimAsync(owner.ToString(), durable: false).ConfigureAwait(false);
        await ListenAsync(name, owner, channel).ConfigureAwait(false);
        replyRelays[channel] = name;
        return name;
    }

    public Task DeliverAsync(byte[] envelope, string[] relays)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(relays);
        var here = 0;
        foreach (var relay in relays)
        {
            if (listening.TryGetValue(relay, out var observer))
            {
                // Not awaited: a member whose channel is full holds up no one else (each push has its own patience).
                _ = PushAsync(relay, observer, envelope);
                here++;
            }
            else
            {
                // Its owner listens elsewhere now, or nowhere: the relay knows where.
                _ = grains.GetGrain<IRelayGrain>(relay).NotifyAsync(envelope);
            }
        }

        SiloTelemetry.GroupDeliveries.Add(here, new KeyValuePair<string, object?>("ockam.path", "connection"));
        SiloTelemetry.GroupDeliveries.Add(relays.Length - here, new KeyValuePair<string, object?>("ockam.path", "relay"));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Pushes down the connection held for <paramref name="relay"/>; one found gone (closed before this registry heard
    /// of it) is let go, and the entry passed to the relay's grain.
    /// </summary>
    private async Task PushAsync(string relay, RelayObserver observer, byte[] envelope)
    {
        try
        {
            await observer.PushAsync(relay, envelope).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RoutingException or ObjectDisposedException)
        {
            listening.TryRemove(KeyValuePair.Create(relay, observer));
            await grains.GetGrain<IRelayGrain>(relay).NotifyAsync(envelope).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A group's entry reached <paramref name="relay"/>'s owner here through the relay's grain: its Delivery Service
    /// does not know (or no longer knows) that the relay is connected through this gateway. It has forgotten since it
    /// was told at the route's naming (a new activation keeps no hints), or it dropped the hint, or it was never told (the
    /// telling failed, or the owner moved here). So it is told again, best effort, and its next entries come here in one
    /// call per gateway instead of through each relay. Only while this connection is the one the relay's entries are
    /// pushed down, and at most once per <see cref="RelayObserver.TellInterval"/> for a group.
    /// </summary>
    private void Relayed(string relay, RelayObserver observer, byte[] envelope)
    {
        if (!listening.TryGetValue(relay, out var current) || !ReferenceEquals(current, observer))
        {
            return;
        }

        GroupId group;
        try
        {
            group = GroupDelivery.Decode(MessageCodec.Decode(envelope, RelayDelivery.MaxSize).Payload).Group;
        }
        catch (OckamDecodeException)
        {
            return;
        }

        if (observer.ShouldTell(group))
        {
            _ = TellAsync(grains.GetDeliveryService(group), relay, CancellationToken.None);
        }
    }

    /// <summary>
    /// Tells <paramref name="group"/>'s Delivery Service that <paramref name="relay"/> is connected through this gateway,
    /// if it is (its owner listens here: only an owner can connect a relay), so that its live deliveries for the relay
    /// come here, in one call per entry with every other relay of the group this gateway holds. Best effort: a service
    /// not told sends through the relay's grain, and is told again by the next entry that reaches the relay that way.
    /// </summary>
    public async Task TellAsync(IDeliveryServiceGrain group, string relay, CancellationToken cancellationToken)
    {
        if (!Listens(relay))
        {
            return;
        }

        try
        {
            await group.RouteThroughAsync(relay, Groups).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
        }
    }


    /// <summary>
    /// Follows the cluster's membership: when a silo is declared dead, the relays that lived there activate again
    /// elsewhere knowing no owner (an owner's connection lives only in the memory of the silo it reached). So every owner
    /// this silo holds is connected to its relay again — wherever the relay now lives — and its mailbox flows, without
    /// waiting for the owner's node to notice anything (its own connection, here, never broke).
    /// </summary>
    public async Task FollowMembershipAsync(IClusterMembershipService membership, CancellationToken cancellationToken)
    {
        var previous = membership.CurrentSnapshot;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var died = snapshot.CreateUpdate(previous).Changes.Count(c => c.Status == SiloStatus.Dead);
                previous = snapshot;
                if (died > 0)
                {
                    LogRenewing(logger, died, observers.Count);
                    await RenewAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private Task RenewAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(observers.Select(entry => RenewAsync(entry.Key.Relay, entry.Key.Channel, entry.Value.Reference, entry.Value.Owner, cancellationToken)));

    /// <summary>
    /// <paramref name="relay"/>'s activation is going while the owner on <paramref name="channel"/> listens (collected,
    /// deactivated as the silo holding its directory entry died or stopped, or its own silo stopping): the owner is
    /// connected to the next activation. Not while this gateway stops: its connections go with it.
    /// </summary>
    private void Reconnect(string relay, Address channel)
    {
        if (!stopping.IsCancellationRequested && observers.TryGetValue((relay, channel), out var held))
        {
            _ = Task.Run(() => RenewAsync(relay, channel, held.Reference, held.Owner, stopping), CancellationToken.None);
        }
    }

    /// <summary>
    /// Connects the owner's observer to its relay again if the relay knows no connection (never displacing one the
    /// owner has made since), trying while the owner still listens here, for a minute.
    /// </summary>
    private async Task RenewAsync(string relay, Address channel, IRelayObserver reference, Identifier owner, CancellationToken cancellationToken)
    {
        var delay = FirstRenewDelay;
        var started = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            await renewing.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var outcome = await grains.GetGrain<IRelayGrain>(relay).RenewAsync(owner.ToString(), reference).ConfigureAwait(false);
                if (outcome != RelayOutcome.Ok)
                {
                    Release(relay, channel);
                }
                else if (!Holds(relay, channel, reference))
                {
                    // The channel closed meanwhile, and its disconnect may have reached the relay before this renewal:
                    // what the relay pushes to a released observer would go nowhere.
                    await grains.GetGrain<IRelayGrain>(relay).DisconnectAsync(reference).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Tried again while the owner still listens here: given up, it would stay unheard on this relay
                // until its node reconnects, as its own connection never broke.
                if (!Holds(relay, channel, reference))
                {
                    return;
                }

                if (time.GetElapsedTime(started) >= RenewPatience)
                {
                    LogRenewFailed(logger, relay, e.Message);
                    return;
                }
            }
            finally
            {
                renewing.Release();
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRenewDelay.Ticks));
        }
    }

    private bool Holds(string relay, Address channel, IRelayObserver reference) =>
        observers.TryGetValue((relay, channel), out var held) && ReferenceEquals(held.Reference, reference);

    /// <summary>Watches an accepted channel, to release its observers when it closes.</summary>
    public void Track(SecureChannel channel) =>
        _ = channel.Closed.ContinueWith(_ => CloseAsync(channel.Address), TaskScheduler.Default).Unwrap();

    private async Task CloseAsync(Address channel)
    {
        replyRelays.TryRemove(channel, out _);
        foreach (var key in observers.Keys.Where(k => k.Channel.Equals(channel)).ToList())
        {
            // Out of the registry before the relay hears of it: a renewal that lands after this disconnect finds the
            // entry gone and disconnects again.
            if (observers.TryRemove(key, out var entry))
            {
                listening.TryRemove(KeyValuePair.Create(key.Relay, entry.Observer));
                await grains.GetGrain<IRelayGrain>(key.Relay).DisconnectAsync(entry.Reference).ConfigureAwait(false);
                grains.DeleteObjectReference<IRelayObserver>(entry.Reference);
            }
        }
    }

    private void Release(string relay, Address channel)
    {
        if (observers.TryRemove((relay, channel), out var entry))
        {
            listening.TryRemove(KeyValuePair.Create(relay, entry.Observer));
            grains.DeleteObjectReference<IRelayObserver>(entry.Reference);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Silos} silo(s) of the cluster died: connecting the owners of {Count} relays again")]
    private static partial void LogRenewing(ILogger logger, int silos, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "relay {Relay}: could not connect its owner again after a silo died or its activation went, for a minute; it is unheard there until its node reconnects: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string relay, string reason);
}
