using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;
using Ockam.Silo.Configuration;
using Ockam.Silo.Identities;

namespace Ockam.Silo.Gateway;

/// <summary>
/// Where edge nodes meet the cluster: a TCP transport of the silo's node with two secure-channel
/// listeners — <c>secure</c> (any proven identity: enrolment) and <c>member</c> (holders of the
/// authority's credentials) — and the <c>api</c> worker behind them.
/// </summary>
internal sealed partial class EdgeGateway(
    SiloIdentities identities,
    IGrainFactory grains,
    IClusterMembershipService membership,
    IOptions<OckamOptions> options,
    IOptions<EdgeGatewayOptions> gatewayOptions,
    ILoggerFactory loggers,
    TimeProvider time) : IHostedService, IAsyncDisposable
{
    private readonly ILogger logger = loggers.CreateLogger<EdgeGateway>();
    private readonly CancellationTokenSource stopping = new();
    private Node? node;
    private TcpTransport? tcp;
    private Task refreshing = Task.CompletedTask;
    private Task following = Task.CompletedTask;

    // Held here: Orleans keeps only a weak reference to an observer.
    private RevocationObserver? revocations;
    private int stopped;

    /// <summary>Where the gateway listens (resolved after start: port 0 picks a free one).</summary>
    public IPEndPoint? Endpoint { get; private set; }

    public TrustContext? Trust { get; private set; }

    /// <summary>The channels open on this gateway.</summary>
    internal ChannelRegistry? Channels { get; private set; }

    /// <summary>Raised for every refused or timed-out handshake on either listener.</summary>
    public event EventHandler<HandshakeFailedEventArgs>? HandshakeFailed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var authority = grains.GetGrain<IAuthorityGrain>(settings.AuthorityName);
        var trust = new TrustContext(identities.Home.Vault) { RequireRevocationList = true };
        trust.TrustAuthority(identities.Authority.Issuer.Identity.History.Verify(identities.Home.Vault, now));
        trust.AcceptRevocationList(RevocationList.Decode(await authority.GetRevocationListAsync().ConfigureAwait(false)), time.GetUtcNow());
        Trust = trust;

        node = new Node(new NodeOptions { Time = time, MailboxCapacity = gatewayOptions.Value.MailboxCapacity, MailboxBytes = gatewayOptions.Value.MailboxBytes }, loggers);
        tcp = new TcpTransport(node, gatewayOptions.Value.Transport);
        var limits = gatewayOptions.Value;
        var handshakes = new RequestRate(limits.HandshakesPerSecond, limits.HandshakeBurst, time);
        var channel = new SecureChannelOptions
        {
            Vault = identities.Home.Vault,
            Identity = identities.Silo,
            StaticKey = identities.StaticKey,
            TrustPolicy = TrustPolicy.AnyIdentity,
            TrustContext = trust,
            Histories = new GrainIdentityHistories(grains, identities.Home.Vault, time),
            HandshakeTimeout = gatewayOptions.Value.HandshakeTimeout,
            MaxChannelsPerFlow = gatewayOptions.Value.MaxChannelsPerConnection,
            Admission = (peer, cancellationToken) => handshakes.WaitAsync(peer, limits.RequestRatePatience, cancellationToken),
        };
        var memberPolicy = Policy.Parse(settings.MemberPolicy);
        var relays = new RelayRegistry(grains, node, time, loggers.CreateLogger<RelayRegistry>(), stopping.Token);
        following = Task.Run(() => relays.FollowMembershipAsync(membership, stopping.Token), CancellationToken.None);
        var channels = new ChannelRegistry(time, loggers.CreateLogger<ChannelRegistry>());
        Channels = channels;

        // Flow control: peers on the TCP port reach the two listeners only; what comes out of their channels
        // reaches the api (both listeners) and the relay hop (members), and nothing else of this node.
        var secure = SecureChannelListener.Start(node, "secure", channel with { IncomingFlows = [tcp.Flow] });
        var member = SecureChannelListener.Start(node, "member", channel with { TrustPolicy = TrustPolicy.Credentials(memberPolicy), IncomingFlows = [tcp.Flow] });
        foreach (var listener in new[] { secure, member })
        {
            listener.HandshakeFailed += (sender, e) =>
            {
                LogHandshakeFailed(logger, ((SecureChannelListener)sender!).Address, e.Error, e.Exception.Message);
                HandshakeFailed?.Invoke(this, e);
            };
            listener.ChannelAccepted += (_, e) =>
            {
                relays.Track(e.Channel);
                channels.Track(e.Channel);
            };
        }

        var policies = new GatewayPolicies(gatewayOptions.Value.Policies);
        var api = Address.Local("api");
        // No mailbox for the api and the relay hop: a request or relayed message that must wait (the api is at its
        // bound, a relay's queue is full) waits in its own channel's receive side, never in a queue shared with
        // other peers, and never in front of the answers the channel's send side carries (docs/gateway.md).
        node.StartWorker([api], new ApiWorker(grains, settings.AuthorityName, trust, policies, relays, time, new RequestRate(limits.RequestsPerSecond, limits.RequestBurst, time), limits.RequestRatePatience, limits.MaxConcurrentRequests, limits.MaxConcurrentRequestsPerChannel, loggers.CreateLogger<ApiWorker>()), mailbox: WorkerMailbox.None);
        node.AcceptFlow(api, secure.Flow);
        node.AcceptFlow(api, member.Flow);
        Address[] relayHop = [Address.Local(RelayDelivery.RelayAddress), Address.Local(RelayWorker.HighPriorityAddress), Address.Local(RelayDelivery.LiveRelayAddress)];
        node.StartWorker(relayHop, new RelayWorker(grains, relays, memberPolicy, new RequestRate(limits.StoredRelayedPerSecond, limits.StoredRelayedBurst, time), new RequestRate(limits.RequestsPerSecond, limits.RequestBurst, time), limits, time, loggers.CreateLogger<RelayWorker>()), mailbox: WorkerMailbox.None);
        foreach (var hop in relayHop)
        {
            node.AcceptFlow(hop, member.Flow);
        }

        Endpoint = tcp.Listen(new IPEndPoint(IPAddress.Parse(settings.EdgeAddress), settings.EdgePort));
        LogStarted(logger, identities.Silo.Identifier, identities.Authority.Issuer.Identity.Identifier, Endpoint);
        var adminToken = identities.Created || settings.PrintAdminToken
            ? await authority.CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "admin"u8.ToArray() }, TimeSpan.FromHours(24), uses: 1).ConfigureAwait(false)
            : null;
        await Console.Out.WriteAsync(SiloBanner.Format(identities, Endpoint, settings, adminToken)).ConfigureAwait(false);
        var feed = grains.GetGrain<IRevocationFeedGrain>(settings.AuthorityName);
        revocations = new RevocationObserver(notice => ApplyAsync(trust, channels, notice));
        var subscription = grains.CreateObjectReference<IRevocationObserver>(revocations);
        await feed.SubscribeAsync(subscription).ConfigureAwait(false);
        refreshing = Task.Run(() => RefreshRevocationListAsync(authority, feed, subscription, trust, channels, stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        await refreshing.ConfigureAwait(false);
        await following.ConfigureAwait(false);
        if (tcp is not null)
        {
            await tcp.DisposeAsync().ConfigureAwait(false);
        }

        if (node is not null)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        stopping.Dispose();
    }

    /// <summary>
    /// A revocation anywhere in the cluster reaches this gateway through the feed within moments; the periodic
    /// refresh renews the subscription and catches up on anything the feed missed (it re-activated, this silo
    /// was unreachable), so a revoked channel stays open at most one refresh period even then.
    /// </summary>
    private async Task RefreshRevocationListAsync(IAuthorityGrain authority, IRevocationFeedGrain feed, IRevocationObserver subscription, TrustContext trust, ChannelRegistry channels, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(gatewayOptions.Value.RevocationRefresh, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await feed.SubscribeAsync(subscription).ConfigureAwait(false);
                    await ApplyAsync(trust, channels, await authority.GetRevocationNoticeAsync().ConfigureAwait(false)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRefreshFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ApplyAsync(TrustContext trust, ChannelRegistry channels, RevocationNotice notice)
    {
        var list = RevocationList.Decode(notice.RevocationList);
        try
        {
            trust.AcceptRevocationList(list, time.GetUtcNow());
        }
        catch (CredentialException e) when (e.Error == CredentialError.RevocationListRollback)
        {
            // Notices can arrive out of order: a newer list is already in force, and still closes what this one names.
        }

        // Whatever the notice says, only a list the authority signed (and that is current) decides.
        if (trust.GetRevocationList(list.Data.Issuer) is { } current)
        {
            await channels.CloseRevokedAsync(current, notice.Subjects).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "edge gateway for silo {Silo} (authority {Authority}) listening on {Endpoint}")]
    private static partial void LogStarted(ILogger logger, Identifier silo, Identifier authority, IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "handshake on {Listener} refused: {Error}: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, Address listener, HandshakeError error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "refreshing the revocation list failed; the current one stays until it expires")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
