using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;
using Ockam.Identity.Identities;
using Ockam.Identity.Mail;
using Ockam.Identity.Policies;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Nodes;
using Ockam.Messaging.Portals;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;

namespace Ockam.Client.Edge;

/// <summary>
/// A device or app: a persistent identity in its home directory, a TCP connection to a silo, enrolment
/// and credential refresh, relays, and end-to-end secure channels to other nodes through relays — the
/// silo routes and stores their ciphertext and can read or forge none of it.
/// </summary>
public sealed partial class EdgeNode : IAsyncDisposable, IEdgeApi
{
    internal const string IdentityName = "default";

    /// <summary>The credential attribute naming the relay its holder may own (the gateway's policy for creating one).</summary>
    internal const string RelayAttribute = "ockam.relay";
    private static readonly Address InboxAddress = Address.Local("inbox");
    private static readonly Address RelayInboxAddress = Address.Local(RelayDelivery.InboxAddress);
    private static readonly Address GroupInboxAddress = Address.Local(GroupDelivery.InboxAddress);
    private static readonly Address SealedInboxAddress = Address.Local(SealedInbox.Address);
    private static readonly TimeSpan StaticKeyLifetime = TimeSpan.FromDays(30);

    /// <summary>KeyPackages the silo should hold for this node: enough for a few invitations before it connects again.</summary>
    private const int KeyPackageTarget = 8;

    /// <summary>
    /// KeyPackages a fresh node publishes with its enrolment: invitations to a couple of rooms before it first opens its
    /// rooms (which tops the silo up to <see cref="KeyPackageTarget"/>), without making every device of a fleet pay for eight.
    /// </summary>
    private const int EnrolmentKeyPackages = 2;

    /// <summary>How often a listening node checks its channel to the silo when nothing tells it sooner.</summary>
    private static readonly TimeSpan WatchPeriod = TimeSpan.FromSeconds(10);

    /// <summary>How long closing a channel being replaced may wait to send its close message.</summary>
    private static readonly TimeSpan ClosePatience = TimeSpan.FromSeconds(1);

    /// <summary>The first wait before a failed reconnect is tried again.</summary>
    private static readonly TimeSpan WatchRetry = TimeSpan.FromMilliseconds(500);

    private readonly EdgeNodeOptions options;
    private readonly ILogger logger;
    private readonly NodeHome home;
    private readonly NodeHomeLock homeLock;
    private readonly Node node;
    private readonly TcpTransport tcp;
    private readonly SiloAddresses siloAddresses;
    private readonly InboxWorker inbox = new();
    private readonly RelayInbox relayInbox;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly HashSet<string> listening = new(StringComparer.Ordinal);
    private bool watchingStarted;

    /// <summary>Released when the TCP connection to the silo this node uses breaks: the watch reconnects at once.</summary>
    private readonly SemaphoreSlim siloLost = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim credentialChanged = new(0);
    private readonly PurposeKey staticKey;
    private readonly PeerHistories peers;
    private readonly KeyPackageStore keyPackages;

    /// <summary>Sealed mail: this node's counter as a sender, what it has taken as a recipient, and the relays it may come through.</summary>
    private readonly MailCounter mailCounter;
    private readonly MailReplayGuard mailSeen;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> mailRelays = new(StringComparer.Ordinal);
    private RoomClient? rooms;
    private SecureChannel? channel;
    private volatile string? connectedSilo;

    /// <summary>The portals this node serves, listed in its home for <c>ockam status</c>.</summary>
    private readonly RunningPortals runningPortals;

    /// <summary>The channel whose TCP connection broke, if it is still the current one: never used again.</summary>
    private volatile SecureChannel? brokenChannel;

    /// <summary>
    /// Cancelled when the current channel can answer no more — its TCP connection broke, or it was closed or replaced —
    /// so that a call waiting on it fails then rather than at its timeout.
    /// </summary>
    private volatile CancellationTokenSource channelGone = new();

    /// <summary>The channel every relay and room listened on was last renewed through: any other needs a renewal.</summary>
    private volatile SecureChannel? renewedOn;

    /// <summary>Set by <see cref="GoOfflineAsync"/> until the next channel opens: the watch leaves the node away meanwhile.</summary>
    private volatile bool offline;
    private ApiClient? api;
    private TrustContext? trust;
    private Identifier? authorityIdentifier;
    private Task refreshing = Task.CompletedTask;
    private Task watching = Task.CompletedTask;

    private EdgeNode(EdgeNodeOptions options, SiloAddresses siloAddresses, NodeHomeLock homeLock, NodeHome home, LocalIdentity identity, PurposeKey staticKey, TransportOptions? transport)
    {
        this.options = options;
        logger = options.LoggerFactory.CreateLogger<EdgeNode>();
        this.siloAddresses = siloAddresses;
        this.homeLock = homeLock;
        this.home = home;
        this.staticKey = staticKey;
        runningPortals = new RunningPortals(options.Home);
        Identity = identity;
        node = new Node(new NodeOptions { Time = options.Time });
        tcp = new TcpTransport(node, transport);
        tcp.ConnectionLost += (_, lost) =>
        {
            if (string.Equals(lost.Peer, connectedSilo, StringComparison.OrdinalIgnoreCase))
            {
                // The channel ran over that connection: a redial reaches a silo process that knows nothing of it, which
                // drops what it carries without a word. The next use opens a new one (and fails while no silo accepts).
                brokenChannel = channel;
                _ = channelGone.CancelAsync();
                siloLost.Release();
                LogConnectionLost(logger, lost.Peer);
            }
        };
        node.StartWorker(InboxAddress, inbox);
        relayInbox = new RelayInbox(options.SiloIdentifier, AcknowledgeAsync, options.Time);
        node.StartWorker([RelayInboxAddress], relayInbox, relayInbox.Flow);
        Credential = ReadCredential(options.Home);
        peers = PeerHistories.Open(options.Home, home.Vault, options.Time.GetUtcNow());
        keyPackages = new KeyPackageStore(Path.Combine(options.Home, "key-packages.json"), home.Vault, options.Time);
        mailCounter = MailCounter.Open(Path.Combine(options.Home, "mail-counter.cbor"), options.Time);
        mailSeen = MailReplayGuard.Open(Path.Combine(options.Home, "mail-seen.cbor"));
    }

    public LocalIdentity Identity { get; private set; }

    public Identifier Identifier => Identity.Identifier;

    /// <summary>The credential from enrolment (kept in the home directory), or null before enrolment.</summary>
    public CredentialPresentation? Credential { get; private set; }

    /// <summary>Opens the node in <see cref="EdgeNodeOptions.Home"/>, creating its identity on first use.</summary>
    /// <exception cref="NodeHomeInUseException">Another process runs a node in that home.</exception>
    /// <exception cref="FormatException"><see cref="EdgeNodeOptions.Silo"/> is not one or more <c>host:port</c>.</exception>
    public static async Task<EdgeNode> OpenAsync(EdgeNodeOptions options, TransportOptions? transport = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var siloAddresses = SiloAddresses.Parse(options.Silo);
        var homeLock = NodeHomeLock.Acquire(options.Home);
        try
        {
            // Under the lock no other node writes here: what a crash left half-written goes (it may hold keys deleted since).
            AtomicFile.DeleteLeftovers(options.Home);
            RunningPortals.Clear(options.Home);
            AtomicFile.DeleteLeftovers(RoomsDirectory(options.Home));
            var home = await NodeHome.OpenAsync(options.Home, options.Time, cancellationToken).ConfigureAwait(false);
            // The keys first: a fresh home's identity is made with them and saved once, not once alone and once with its
            // key. A fresh home also makes the group keys its enrolment will publish, saved in the same write of the
            // identities file (one atomic write fewer per device); a home that has them leaves their renewal to the calls
            // that publish them.
            Purpose[] purposes = await home.HasIdentityAsync(IdentityName, cancellationToken).ConfigureAwait(false)
                ? [Purpose.SecureChannelStatic]
                : [Purpose.SecureChannelStatic, Purpose.GroupKeyAgreement, Purpose.GroupSigning];
            var key = (await home.GetOrCreatePurposeKeysAsync(IdentityName, purposes, StaticKeyLifetime, StaticKeyLifetime / 3, cancellationToken).ConfigureAwait(false))[0];
            var identity = await home.GetOrCreateIdentityAsync(IdentityName, cancellationToken).ConfigureAwait(false);
            var edge = new EdgeNode(options, siloAddresses, homeLock, home, identity, key, transport);
            edge.refreshing = Task.Run(() => edge.RefreshLoopAsync(edge.stopping.Token), CancellationToken.None);
            return edge;
        }
        catch
        {
            homeLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Redeems an enrolment token for this identity's credential, and keeps it; the same request publishes its group
    /// keys and, for a fresh node, its first KeyPackages, so that it can be invited to a room before it has run anything
    /// else — over the one channel enrolment opens.
    /// </summary>
    /// <exception cref="EdgeException">The token is unknown, expired or used, or the silo refused the keys.</exception>
    public async Task<CredentialPresentation> EnrollAsync(string token, CancellationToken cancellationToken = default)
    {
        var (agreement, signing) = await GroupKeysAsync(cancellationToken).ConfigureAwait(false);

        // Only a node with none kept yet sends packages: one enrolling again (a new token) leaves the count to RoomsAsync.
        await keyPackages.DropExpiredAsync(cancellationToken).ConfigureAwait(false);
        var fresh = await keyPackages.RoomAsync(cancellationToken).ConfigureAwait(false) == KeyPackageStore.Capacity;
        var packages = fresh ? await NewKeyPackagesAsync(signing, EnrolmentKeyPackages, cancellationToken).ConfigureAwait(false) : [];
        var keys = new EnrolmentKeys(agreement.Attestation.Encode(), signing.Attestation.Encode(), packages);
        var response = await CallAsync(new EnrollRequest(token, keys), cancellationToken).ConfigureAwait(false);
        var credential = await KeepCredentialAsync(response, cancellationToken).ConfigureAwait(false);

        // From now on the node talks to the silo as a member: the next call opens that channel.
        await GoOfflineAsync().ConfigureAwait(false);
        return credential;
    }

    /// <summary>A fresh credential (the node also does this on its own before the current one expires).</summary>
    public async Task<CredentialPresentation> RefreshCredentialAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(new GetCredentialRequest(), cancellationToken).ConfigureAwait(false);
        return await KeepCredentialAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Claims a relay name (the credential's <c>ockam.relay</c> attribute must allow it).</summary>
    public Task CreateRelayAsync(string relay, CancellationToken cancellationToken = default) =>
        CallAsync(new CreateRelayRequest(relay), cancellationToken);

    /// <summary>Receives what reaches an owned relay: first the mailbox, in order, then live. Renewed after reconnects.</summary>
    public async Task ListenAsync(string relay, CancellationToken cancellationToken = default)
    {
        // Before the call: the mailbox may start flowing before it returns, and sealed mail for this relay is then taken.
        mailRelays.TryAdd(relay, true);
        await CallAsync(new ListenRelayRequest(relay), cancellationToken).ConfigureAwait(false);
        lock (listening)
        {
            listening.Add(relay);
        }

        KeepConnected();
    }

    /// <summary>Publishes a new primary key (signed by the old and the new) and keeps it.</summary>
    public async Task<LocalIdentity> RotateAsync(CancellationToken cancellationToken = default)
    {
        var rotated = await home.Identities.RotateAsync(Identity, cancellationToken: cancellationToken).ConfigureAwait(false);
        await home.UpdateIdentityAsync(IdentityName, rotated, cancellationToken).ConfigureAwait(false);
        Identity = rotated;
        await CallAsync(new PublishIdentityRequest(rotated.History), cancellationToken).ConfigureAwait(false);
        return rotated;
    }

    /// <summary>Revokes this identity for good and tells the silo, which ends its membership.</summary>
    public async Task RevokeAsync(CancellationToken cancellationToken = default)
    {
        var revoked = await home.Identities.RevokeAsync(Identity, cancellationToken).ConfigureAwait(false);
        await CallAsync(new PublishIdentityRequest(revoked), cancellationToken).ConfigureAwait(false);
        Identity = Identity with { History = revoked };
        await home.UpdateIdentityAsync(IdentityName, Identity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates an enrolment token granting <paramref name="attributes"/> to up to <paramref name="uses"/> identities
    /// (admins, and enrollers within their delegation; <c>ockam.delegate</c> as comma-separated names).
    /// </summary>
    public async Task<string> CreateTokenAsync(IReadOnlyDictionary<string, string> attributes, TimeSpan validFor, int uses = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentOutOfRangeException.ThrowIfLessThan(uses, 1);
        var response = await CallAsync(new CreateTokenRequest(attributes, (ulong)validFor.TotalSeconds, (ulong)uses), cancellationToken).ConfigureAwait(false);
        return response.Token;
    }

    /// <summary>Round trip to the silo over the secure channel (diagnostics).</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = options.Time.GetTimestamp();
        await CallAsync(new GetAuthorityRequest(), cancellationToken).ConfigureAwait(false);
        return options.Time.GetElapsedTime(started);
    }

    /// <summary>
    /// Opens an end-to-end channel through relay <paramref name="relay"/> to the node that owns it. The
    /// peer must prove an identity with a credential from the silo's authority satisfying <paramref name="peerPolicy"/>.
    /// </summary>
    /// <exception cref="EdgeException">No relay by that name (<see cref="ApiStatus.UnknownRelay"/>).</exception>
    public async Task<SecureChannel> ConnectAsync(string relay, Policy peerPolicy, CancellationToken cancellationToken = default)
    {
        // A clear answer for a name nobody holds, rather than a handshake that times out.
        await CallAsync(new GetRelayRequest(relay), cancellationToken).ConfigureAwait(false);
        var (toSilo, _) = await ChannelAsync(cancellationToken).ConfigureAwait(false);
        var route = Route.Of(toSilo.Address, Address.Local(RelayDelivery.RelayAddress), Address.Local(relay), Address.Local("listener"));

        // The peer's answers come back relayed, through the relay inbox; what the channel delivers may reach the application inbox.
        var endToEnd = await EndToEndOptionsAsync(peerPolicy, cancellationToken).ConfigureAwait(false);
        return await SecureChannel.CreateAsync(node, route, endToEnd with { IncomingFlows = [relayInbox.Flow] }, [InboxAddress], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Accepts end-to-end channels, and sealed mail through the relays it listens on, from peers whose credentials
    /// satisfy <paramref name="peerPolicy"/>.
    /// </summary>
    /// <remarks>Only relayed messages reach the listener and the sealed inbox, and what they deliver reaches only the application inbox.</remarks>
    public async Task AcceptAsync(Policy peerPolicy, CancellationToken cancellationToken = default)
    {
        var endToEnd = await EndToEndOptionsAsync(peerPolicy, cancellationToken).ConfigureAwait(false);
        var listener = SecureChannelListener.Start(node, "listener", endToEnd with { IncomingFlows = [relayInbox.Flow] });
        node.AcceptFlow(InboxAddress, listener.Flow);

        // Sealed mail is opened with the agreement key senders find published (published again here, as it may have been renewed).
        var (agreement, _) = await PublishGroupKeysAsync(cancellationToken).ConfigureAwait(false);
        var opener = new MailOpener(home.Vault, Identity, agreement, peers, endToEnd.TrustContext, peerPolicy, mailRelays.ContainsKey);
        node.StartWorker(SealedInboxAddress, new SealedInbox(opener, mailSeen, inbox, options.Time));
        node.AcceptFlow(SealedInboxAddress, relayInbox.Flow);
    }

    /// <summary>
    /// Starts a portal outlet to <paramref name="target"/> ("host:port", the only address it will ever connect to), reached
    /// through relay <paramref name="relay"/> (claimed and listened on here): inlets whose node's credentials satisfy
    /// <paramref name="allow"/> may open streams to it. Its traffic goes through the silo live, never stored.
    /// </summary>
    /// <exception cref="EdgeException">The relay belongs to another identity, or the credential does not allow it.</exception>
    public async Task<PortalOutlet> CreateOutletAsync(string relay, string target, Policy allow, PortalOptions? portal = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(allow);
        await CreateRelayAsync(relay, cancellationToken).ConfigureAwait(false);
        await ListenAsync(relay, cancellationToken).ConfigureAwait(false);
        var endToEnd = await EndToEndOptionsAsync(allow, cancellationToken).ConfigureAwait(false);

        // A listener of its own: its trust policy is the outlet's, and its channels reach the outlet and nothing else.
        var listener = SecureChannelListener.Start(node, PortalOutlet.ListenerAddress(relay).ValueText, endToEnd with { IncomingFlows = [relayInbox.Flow] });
        var outlet = PortalOutlet.Start(node, listener, relay, target, portal);
        await runningPortals.AddAsync(new RunningPortal("outlet", outlet.Target, relay, allow.Source), cancellationToken).ConfigureAwait(false);
        return outlet;
    }

    /// <summary>
    /// Starts a portal inlet on <paramref name="from"/>: each connection to it is carried to the outlet behind relay
    /// <paramref name="relay"/>, inside an end-to-end channel to a node whose credentials satisfy <paramref name="allow"/>.
    /// </summary>
    /// <exception cref="EdgeException">No relay by that name (<see cref="ApiStatus.UnknownRelay"/>).</exception>
    public async Task<PortalInlet> CreateInletAsync(System.Net.IPEndPoint from, string relay, Policy allow, PortalOptions? portal = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(allow);

        // A clear answer for a name nobody holds, rather than connections that are all refused.
        await CallAsync(new GetRelayRequest(relay), cancellationToken).ConfigureAwait(false);
        var inlet = PortalInlet.Start(node, from, PortalOutlet.OutletAddress(relay), ct => PortalChannelAsync(relay, allow, ct), portal);
        await runningPortals.AddAsync(new RunningPortal("inlet", inlet.Endpoint.ToString(), relay, allow.Source), cancellationToken).ConfigureAwait(false);
        return inlet;
    }

    /// <summary>An end-to-end channel to relay <paramref name="relay"/>'s outlet, through the silo's live relay hop both ways.</summary>
    private async Task<SecureChannel> PortalChannelAsync(string relay, Policy allow, CancellationToken cancellationToken)
    {
        var (toSilo, _) = await ChannelAsync(cancellationToken).ConfigureAwait(false);
        var route = Route.Of(toSilo.Address, Address.Local(RelayDelivery.LiveRelayAddress), Address.Local(relay), PortalOutlet.ListenerAddress(relay));
        var endToEnd = await EndToEndOptionsAsync(allow, cancellationToken).ConfigureAwait(false);
        return await SecureChannel.CreateAsync(node, route, endToEnd with { IncomingFlows = [relayInbox.Flow] }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether relay <paramref name="relay"/>'s owner listens now: if not, a message for it waits best sealed.</summary>
    /// <exception cref="EdgeException">No relay by that name (<see cref="ApiStatus.UnknownRelay"/>).</exception>
    public async Task<bool> IsOnlineAsync(string relay, CancellationToken cancellationToken = default) =>
        (await GetRelayAsync(relay, cancellationToken).ConfigureAwait(false)).Online;

    /// <summary>Relay <paramref name="relay"/>'s owner, and whether it listens now.</summary>
    /// <exception cref="EdgeException">No relay by that name (<see cref="ApiStatus.UnknownRelay"/>).</exception>
    public async Task<RelayInfo> GetRelayAsync(string relay, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(new GetRelayRequest(relay), cancellationToken).ConfigureAwait(false);
        return new RelayInfo(relay, response.Owner, response.Online);
    }

    /// <summary>
    /// The verified agreement key of relay <paramref name="relay"/>'s owner, to seal mail to (<see cref="SendSealedAsync"/>).
    /// With <paramref name="recipient"/>, the owner must be that identity; without, the silo names the owner.
    /// </summary>
    /// <exception cref="EdgeException">No such relay, another owner, or the owner's keys are missing or do not verify.</exception>
    public Task<VerifiedPurposeKey> GetMailKeyAsync(string relay, Identifier? recipient = null, CancellationToken cancellationToken = default) =>
        Outbox().RecipientKeyAsync(relay, recipient, cancellationToken);

    /// <summary>
    /// Seals <paramref name="payload"/> to <paramref name="recipient"/> (HPKE from this node's agreement key, bound to the
    /// relay and a fresh counter) and sends it through relay <paramref name="relay"/>, where it waits until the owner reads it:
    /// the silo stores ciphertext only, and any later process of the recipient's node opens it, once.
    /// </summary>
    public async Task SendSealedAsync(string relay, VerifiedPurposeKey recipient, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var agreement = await home.GetOrCreatePurposeKeyAsync(IdentityName, Purpose.GroupKeyAgreement, StaticKeyLifetime, StaticKeyLifetime / 3, cancellationToken).ConfigureAwait(false);
        var sealedMail = await Outbox().SealAsync(Identity, agreement, Credential is { } credential ? [credential] : [], recipient, relay, payload, cancellationToken).ConfigureAwait(false);
        var (toSilo, _) = await ChannelAsync(cancellationToken).ConfigureAwait(false);
        var route = Route.Of(toSilo.Address, Address.Local(RelayDelivery.RelayAddress), Address.Local(relay), SealedInboxAddress);
        await node.SendAsync(new Message(route, Route.Empty, sealedMail), cancellationToken).ConfigureAwait(false);
    }

    private SealedOutbox Outbox() => new(this, home.Vault, peers, mailCounter, options.Time);

    /// <summary>Sends <paramref name="payload"/> over an end-to-end channel to the peer's inbox.</summary>
    public ValueTask SendAsync(SecureChannel endToEnd, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endToEnd);
        return node.SendAsync(new Message(Route.Of(endToEnd.Address, InboxAddress), Route.Empty, payload), cancellationToken);
    }

    /// <summary>
    /// This node's encrypted rooms, with its group keys (an X25519 key sealed to, an Ed25519 key that signs, both
    /// attested by its identity; made and published at enrolment).
    /// </summary>
    public async Task<RoomClient> RoomsAsync(CancellationToken cancellationToken = default)
    {
        if (rooms is not null)
        {
            return rooms;
        }

        // Published again here: a node enrolled before enrolment published them, or whose keys were renewed since.
        var (_, signing) = await PublishGroupKeysAsync(cancellationToken).ConfigureAwait(false);
        await TopUpKeyPackagesAsync(signing, cancellationToken).ConfigureAwait(false);
        var client = new RoomClient(home.Vault, this, Identity, signing, new RoomStore(RoomsDirectory(options.Home), home.Vault), keyPackages, options.Time, KeepConnected, options.LoggerFactory.CreateLogger<RoomClient>());
        node.StartWorker(GroupInboxAddress, client);

        // Only deliveries the service made (fan-out through this node's relay) reach the group inbox.
        node.AcceptFlow(GroupInboxAddress, relayInbox.ServiceFlow);
        rooms = client;
        return client;
    }

    /// <summary>Makes (on first use) this node's group keys and publishes their attestations, for inviters to fetch and verify.</summary>
    private async Task<(PurposeKey Agreement, PurposeKey Signing)> PublishGroupKeysAsync(CancellationToken cancellationToken)
    {
        var (agreement, signing) = await GroupKeysAsync(cancellationToken).ConfigureAwait(false);
        await CallAsync(new PublishGroupKeysRequest(agreement.Attestation.Encode(), signing.Attestation.Encode()), cancellationToken).ConfigureAwait(false);
        return (agreement, signing);
    }

    /// <summary>This node's group keys, made on first use.</summary>
    private async Task<(PurposeKey Agreement, PurposeKey Signing)> GroupKeysAsync(CancellationToken cancellationToken)
    {
        var keys = await home.GetOrCreatePurposeKeysAsync(IdentityName, [Purpose.GroupKeyAgreement, Purpose.GroupSigning], StaticKeyLifetime, StaticKeyLifetime / 3, cancellationToken).ConfigureAwait(false);
        return (keys[0], keys[1]);
    }

    /// <summary>
    /// Tops the silo up to <see cref="KeyPackageTarget"/> KeyPackages signed by <paramref name="signing"/> (the count it
    /// holds comes from a publish of none), never beyond what the local store has room for. Their private keys are
    /// persistent and kept in <see cref="keyPackages"/> before the packages leave, so a Welcome after a restart opens.
    /// </summary>
    private async Task TopUpKeyPackagesAsync(PurposeKey signing, CancellationToken cancellationToken)
    {
        await keyPackages.DropExpiredAsync(cancellationToken).ConfigureAwait(false);
        var held = (await CallAsync(new PublishKeyPackagesRequest([]), cancellationToken).ConfigureAwait(false)).Held;
        var needed = Math.Min(KeyPackageTarget - held, await keyPackages.RoomAsync(cancellationToken).ConfigureAwait(false));
        if (needed <= 0)
        {
            return;
        }

        await CallAsync(new PublishKeyPackagesRequest(await NewKeyPackagesAsync(signing, needed, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <paramref name="count"/> new KeyPackages signed by <paramref name="signing"/>, encoded to publish; their private keys
    /// are persistent and kept in <see cref="keyPackages"/> before this returns, so before the packages leave.
    /// </summary>
    private async Task<ReadOnlyMemory<byte>[]> NewKeyPackagesAsync(PurposeKey signing, int count, CancellationToken cancellationToken)
    {
        // Made together, so that the vault writes their private keys to its file in one write rather than one each.
        var bundles = await Ockam.Identity.Mls.OckamKeyPackages.CreateManyAsync(
            home.Vault, signing, options.Time, [(ushort)Ockam.Identity.Mls.GroupRoles.Type], count, KeyPersistence.Persistent, cancellationToken).ConfigureAwait(false);

        await keyPackages.AddAsync(bundles, cancellationToken).ConfigureAwait(false);
        return [.. bundles.Select(b => (ReadOnlyMemory<byte>)b.KeyPackage.Encode())];
    }

    /// <summary>Messages that arrived over end-to-end channels, in arrival order.</summary>
    public IAsyncEnumerable<Received> ReceiveAllAsync(CancellationToken cancellationToken = default) => inbox.Reader.ReadAllAsync(cancellationToken);

    public ValueTask<Received> ReceiveAsync(CancellationToken cancellationToken = default) => inbox.Reader.ReadAsync(cancellationToken);

    /// <summary>
    /// Drops the connection to the silo (the channel is closed) and stays away, as a node whose network went: its watch
    /// does not reconnect it. The next call, or <see cref="ReconnectAsync"/>, reconnects and re-listens.
    /// </summary>
    public async Task GoOfflineAsync()
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            offline = true;
            if (channel is not null)
            {
                await channel.CloseAsync().ConfigureAwait(false);
                channel = null;
                await channelGone.CancelAsync().ConfigureAwait(false);
            }

            if (api is not null)
            {
                await node.StopWorkerAsync(api.Address).ConfigureAwait(false);
                api = null;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Reconnects and renews every relay this node listens on (its mailboxes are then delivered).</summary>
    public Task ReconnectAsync(CancellationToken cancellationToken = default) => RenewAsync(cancellationToken, cancellationToken);

    /// <summary>
    /// The same, with the channel and the relays bounded by <paramref name="cancellationToken"/> and the rooms by
    /// <paramref name="roomsCancellationToken"/>: a room being joined must not be cut off halfway by the watch's
    /// patience (its KeyPackage, once taken, opens its Welcome only once), and each of its calls is bounded anyway.
    /// </summary>
    private async Task RenewAsync(CancellationToken cancellationToken, CancellationToken roomsCancellationToken)
    {
        var (renewing, _) = await ChannelAsync(cancellationToken).ConfigureAwait(false);
        string[] relays;
        lock (listening)
        {
            relays = [.. listening];
        }

        foreach (var relay in relays)
        {
            await ListenAsync(relay, cancellationToken).ConfigureAwait(false);
        }

        // Rooms listened on through the old connection's reply relay get this connection's.
        if (rooms is not null)
        {
            await rooms.RelistenAsync(roomsCancellationToken).ConfigureAwait(false);
        }

        renewedOn = renewing;
    }

    /// <summary>Once something listens (a relay, or a room through this connection), watches the channel to the silo and reconnects.</summary>
    private void KeepConnected()
    {
        lock (listening)
        {
            // The first listen names the channel its relays hang on; after that only a renewal does, so that a channel
            // reopened meanwhile (a call that timed out) is seen as one the relays must be renewed on.
            renewedOn ??= channel;
            if (!watchingStarted)
            {
                watchingStarted = true;
                watching = Task.Run(() => WatchAsync(stopping.Token), CancellationToken.None);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await refreshing.ConfigureAwait(false);
        await watching.ConfigureAwait(false);
        await tcp.DisposeAsync().ConfigureAwait(false);
        await node.DisposeAsync().ConfigureAwait(false);
        rooms?.Dispose();
        home.Dispose();
        peers.Dispose();
        keyPackages.Dispose();
        mailCounter.Dispose();
        mailSeen.Dispose();
        gate.Dispose();
        stopping.Dispose();
        credentialChanged.Dispose();
        siloLost.Dispose();
        channelGone.Dispose();

        RunningPortals.Clear(options.Home);
        runningPortals.Dispose();

        // Last: until everything above has stopped writing, no other process may take this home.
        homeLock.Dispose();
    }

    /// <summary>The channel to the silo — <c>member</c> with a credential, <c>secure</c> before enrolment — reopened when it has closed.</summary>
    private async Task<(SecureChannel Channel, ApiClient Api)> ChannelAsync(CancellationToken cancellationToken, bool reopen = false)
    {
        var (open, client, _) = await ConnectedAsync(cancellationToken, reopen).ConfigureAwait(false);
        return (open, client);
    }

    /// <summary>The channel and its API client, with the token cancelled once that channel can answer no more.</summary>
    private async Task<(SecureChannel Channel, ApiClient Api, CancellationToken Gone)> ConnectedAsync(CancellationToken cancellationToken, bool reopen = false)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A cancelled source means the channel it stands for is not to be trusted, whoever cancelled it.
            if (!reopen && channel is { Closed.IsCompleted: false } open && !ReferenceEquals(open, brokenChannel) && !channelGone.IsCancellationRequested && api is not null)
            {
                return (open, api, channelGone.Token);
            }

            if (channel is not null)
            {
                // Its close message is a courtesy: a connection that holds it (its silo gone, being redialled) must not
                // hold this gate, and with it every call and the watch, for longer than ClosePatience.
                using var patience = new CancellationTokenSource(ClosePatience, options.Time);
                using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, patience.Token);
                await channel.CloseAsync(closing.Token).ConfigureAwait(false);
            }

            // Calls still waiting on the old channel get no answer now. The source is left to the collector, not
            // disposed: a call may be linking to it at this moment. The new channel's source is made once the channel
            // is: a connection to the same silo lost while it was being made (the one its handshake began on, before
            // a redial) is not the new channel's, and cancelling for it left a working channel whose every call
            // failed at once as "broke before it answered", for good (TopicFailoverTests, once). Should a source be
            // cancelled under a live channel all the same, the next call opens a new one (above).
            await channelGone.CancelAsync().ConfigureAwait(false);

            if (api is not null)
            {
                await node.StopWorkerAsync(api.Address).ConfigureAwait(false);
            }

            var credentials = Credential is { } credential ? new[] { credential } : [];
            var channelOptions = new SecureChannelOptions
            {
                Vault = home.Vault,
                Identity = Identity,
                StaticKey = staticKey,
                TrustPolicy = TrustPolicy.Identifiers(options.SiloIdentifier),
                Histories = peers,
                Credentials = credentials,
                HandshakeTimeout = options.HandshakeTimeout,
            };
            var listener = credentials.Length > 0 ? "member" : "secure";
            var silo = await siloAddresses.ReachableAsync(options.Time, cancellationToken).ConfigureAwait(false);
            connectedSilo = silo;
            offline = false;
            channel = await SecureChannel.CreateAsync(node, Route.Of(Address.Tcp(silo), Address.Local(listener)), channelOptions, cancellationToken).ConfigureAwait(false);
            api = await ApiClient.StartAsync(node, Route.Of(channel.Address, Address.Local("api")), options.SiloIdentifier, options.CallTimeout, cancellationToken).ConfigureAwait(false);

            // What the silo pushes reaches the relay inbox, and nothing else of this node.
            node.AcceptFlow(RelayInboxAddress, channel.Flow);
            channelGone = new CancellationTokenSource();
            LogConnected(logger, silo);

            return (channel, api, channelGone.Token);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Operations that leave the service as they found it when carried out again: reads, listens, cumulative
    /// acknowledgements and publications of the same state. Only these are sent again after a call timed out.
    /// </summary>
    private static readonly FrozenSet<ApiOperation> Repeatable = new[]
    {
        ApiOperation.GetCredential, ApiOperation.PublishIdentity, ApiOperation.GetRevocationList, ApiOperation.GetAuthority,
        ApiOperation.ListenRelay, ApiOperation.AcknowledgeRelay, ApiOperation.GetRelay, ApiOperation.PublishGroupKeys,
        ApiOperation.GetGroupKeys, ApiOperation.CatchUpRoom, ApiOperation.GetRoom, ApiOperation.ListenRoom,
        ApiOperation.GetWelcome, ApiOperation.GetRoomTree,
    }.ToFrozenSet();

    /// <summary>
    /// Calls the silo over the channel; a channel that went silent is reopened, and a <see cref="Repeatable"/> request
    /// sent once more over it. A status other than ok is an <see cref="EdgeException"/>.
    /// </summary>
    Task<TResponse> IEdgeApi.CallAsync<TRequest, TResponse>(IApiRequest<TRequest, TResponse> request, CancellationToken cancellationToken) =>
        CallAsync(request, cancellationToken);

    private async Task<TResponse> CallAsync<TRequest, TResponse>(IApiRequest<TRequest, TResponse> request, CancellationToken cancellationToken)
        where TRequest : IApiRequest<TRequest, TResponse>
        where TResponse : class, IApiBody<TResponse>
    {
        ApiResult<TResponse> response;
        try
        {
            var (_, client, gone) = await ConnectedAsync(cancellationToken).ConfigureAwait(false);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, gone);
            try
            {
                response = await client.CallAsync(request, waiting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (gone.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The connection under the channel broke while the call waited (its silo was killed, for one): no answer
                // can come over it, and waiting out the call's timeout kept a publisher silent for 15 s after a kill.
                // Not sent again: the silo may have carried it out before it went, and a message sent twice would be
                // logged twice. The caller decides, as after any failure; the next call opens a new channel.
                throw new EdgeException(ApiStatus.Unavailable, "the connection to the silo broke before it answered; the request may or may not have been carried out");
            }
        }
        catch (TimeoutException)
        {
            // The silo may have restarted or dropped the channel without a word (XX cannot tell the initiator):
            // reopen it once. Relays listened on through the old channel are renewed by ReconnectAsync.
            var (_, fresh) = await ChannelAsync(cancellationToken, reopen: true).ConfigureAwait(false);

            // Only a request that does the same when done twice is sent again: a silo that was slow rather than gone
            // may carry out the first one yet, and a room message or a token sent twice would be there twice.
            if (!Repeatable.Contains(TRequest.Operation))
            {
                throw new EdgeException(ApiStatus.Unavailable, $"the silo did not answer within {options.CallTimeout.TotalSeconds:0.#} s; the request may or may not have been carried out");
            }

            response = await fresh.CallAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return response.Response ?? throw new EdgeException(response.Status, response.Error ?? response.Status.ToString());
    }

    private Task AcknowledgeAsync(string relay, IReadOnlyList<ulong> sequences) =>
        api is { } client
            ? client.CallAsync(new AcknowledgeRelayRequest(relay, sequences))
            : Task.CompletedTask;

    private async Task<CredentialPresentation> KeepCredentialAsync(CredentialResponse response, CancellationToken cancellationToken)
    {
        var credential = CredentialPresentation.Decode(response.Credential);
        if (credential.Credential.Data.Subject != Identifier)
        {
            throw new EdgeException(ApiStatus.BadRequest, "the silo issued a credential for another identity");
        }

        await AtomicFile.WriteAsync(CredentialPath, credential.Encode(), cancellationToken).ConfigureAwait(false);
        Credential = credential;
        credentialChanged.Release();
        return credential;
    }

    private string CredentialPath => CredentialFile(options.Home);

    internal static string RoomsDirectory(string home) => Path.Combine(home, "rooms");

    /// <summary>The credential kept in <paramref name="home"/>, or null before enrolment or if it does not decode.</summary>
    internal static CredentialPresentation? ReadCredential(string home)
    {
        var path = CredentialFile(home);
        try
        {
            return File.Exists(path) ? CredentialPresentation.Decode(File.ReadAllBytes(path)) : null;
        }
        catch (OckamDecodeException)
        {
            return null;
        }
    }

    private static string CredentialFile(string home) => Path.Combine(home, "credential.cbor");


    /// <summary>Trusts the silo's authority (learnt over the pinned channel) for peers' credentials.</summary>
    private async Task<SecureChannelOptions> EndToEndOptionsAsync(Policy peerPolicy, CancellationToken cancellationToken)
    {
        if (trust is null)
        {
            var authority = await CallAsync(new GetAuthorityRequest(), cancellationToken).ConfigureAwait(false);
            var list = await CallAsync(new GetRevocationListRequest(), cancellationToken).ConfigureAwait(false);
            var context = new TrustContext(home.Vault);
            var authorityIdentity = ChangeHistory.Decode(authority.Authority).Verify(home.Vault, options.Time.GetUtcNow());
            context.TrustAuthority(authorityIdentity);
            authorityIdentifier = authorityIdentity.Identifier;
            context.AcceptRevocationList(RevocationList.Decode(list.RevocationList), options.Time.GetUtcNow());
            trust = context;
        }

        return new SecureChannelOptions
        {
            Vault = home.Vault,
            Identity = Identity,
            StaticKey = staticKey,
            TrustPolicy = TrustPolicy.Credentials(peerPolicy),
            TrustContext = trust,
            Histories = peers,
            Credentials = Credential is { } credential ? [credential] : [],
            HandshakeTimeout = options.HandshakeTimeout,
        };
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var wait = TimeSpan.FromMinutes(1);
                if (Credential is { } credential)
                {
                    var data = credential.Credential.Data;
                    var refreshAt = data.ExpiresAt - ((data.ExpiresAt - data.CreatedAt) * options.RefreshAt);
                    wait = refreshAt - options.Time.GetUtcNow();
                    if (wait <= TimeSpan.Zero)
                    {
                        try
                        {
                            await RefreshCredentialAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is EdgeException or TimeoutException or RoutingException or HandshakeException)
                        {
                            // Try again in a minute; the current credential is still valid until it expires.
                        }

                        wait = TimeSpan.FromMinutes(1);
                    }
                }

                // Woken early by a new credential (enrolment, a manual refresh), to schedule its refresh.
                await credentialChanged.WaitAsync(wait < TimeSpan.FromMinutes(1) ? wait : TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
                await RefreshRevocationListAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// While the node listens on relays, it keeps its channel to the silo: it checks it every
    /// <see cref="WatchPeriod"/>, and at once when the TCP connection under it breaks (the silo's process or machine is
    /// gone, the network dropped) or the channel closes. Then it reconnects — to the next silo of the cluster that
    /// accepts, if the one it used does not — and renews its relays, so their mailboxes flow again. A failed attempt is
    /// retried soon (<see cref="WatchRetry"/>, doubling up to the period), not a whole period later.
    /// </summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var retry = TimeSpan.Zero;
        try
        {
            while (true)
            {
                // A broken connection is not asked first: a call over it would wait its whole timeout. A channel other
                // than the one the relays were renewed on (opened since by a call, or by a failed renewal) gets them.
                var reopen = await NextWatchAsync(retry, cancellationToken).ConfigureAwait(false);
                if (offline)
                {
                    retry = TimeSpan.Zero;
                    continue;
                }

                if (!reopen && retry == TimeSpan.Zero && ReferenceEquals(channel, renewedOn))
                {
                    reopen = !await ChannelAnswersAsync(cancellationToken).ConfigureAwait(false);
                    if (!reopen && ReferenceEquals(channel, renewedOn))
                    {
                        continue;
                    }
                }

                try
                {
                    using var patience = new CancellationTokenSource(AttemptPatience, options.Time);
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, patience.Token);
                    await ChannelAsync(attempt.Token, reopen).ConfigureAwait(false);
                    await RenewAsync(attempt.Token, cancellationToken).ConfigureAwait(false);
                    LogRenewed(logger, connectedSilo);
                    retry = TimeSpan.Zero;
                }
                catch (Exception e) when (!Stopping(e, cancellationToken))
                {
                    // Still away (a silo declared dead only after its cluster's probes, a relay not yet reachable):
                    // try again soon. Whatever it meets, the watch goes on: a node whose watch ended would never
                    // reconnect and would stay deaf to its relays and rooms for good.
                    retry = retry == TimeSpan.Zero ? WatchRetry : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, WatchPeriod.Ticks));
                    LogRenewalFailed(logger, e.GetType().Name, e.Message, retry);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Whether the channel to the silo answers a call (then rooms also renew routes and catch up); false on any failure.</summary>
    private async Task<bool> ChannelAnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var patience = new CancellationTokenSource(AttemptPatience, options.Time);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, patience.Token);
            var (_, client) = await ChannelAsync(attempt.Token).ConfigureAwait(false);
            await client.CallAsync(new GetAuthorityRequest(), attempt.Token).ConfigureAwait(false);

            // Rooms whose route could not be named again after the last reconnect (a transient failure) try again;
            // rooms quiet for a while read their log, in case a live push was lost. Not under the check's patience:
            // the channel answered, each call is bounded on its own, and a join cut off halfway would lose its Welcome.
            if (rooms is not null)
            {
                await rooms.RenewRoutesAsync(cancellationToken).ConfigureAwait(false);
                await rooms.CatchUpQuietAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception e) when (!Stopping(e, cancellationToken))
        {
            // A timeout, a refused connection, a transport error, a timeout surfacing as a cancellation: reconnect.
            LogUnanswered(logger, connectedSilo, e.GetType().Name, e.Message);
            return false;
        }
    }

    /// <summary>
    /// Waits for the next check: <paramref name="retry"/> after a failure, else the period, the connection's loss or the
    /// channel's close; true if the connection to the silo broke (or the channel closed) meanwhile.
    /// </summary>
    private async Task<bool> NextWatchAsync(TimeSpan retry, CancellationToken cancellationToken)
    {
        if (retry > TimeSpan.Zero)
        {
            await Task.Delay(retry, options.Time, cancellationToken).ConfigureAwait(false);
            return false;
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var period = Task.Delay(WatchPeriod, options.Time, waiting.Token);
        var lost = siloLost.WaitAsync(waiting.Token);
        var closed = channel?.Closed ?? Task.Delay(Timeout.Infinite, waiting.Token);
        var first = await Task.WhenAny(period, lost, closed).ConfigureAwait(false);
        await waiting.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // A loss signalled while the last reconnect ran is handled by this check: drop it.
        while (siloLost.CurrentCount > 0)
        {
            await siloLost.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return first != period;
    }

    /// <summary>
    /// How long one check or reconnect of the watch may take (a handshake and a few calls, each bounded on its own):
    /// whatever an attempt meets, the watch goes on to the next, so no attempt that fails to end leaves the node deaf
    /// to its relays and rooms for good. A node whose calls wait without bound (an infinite, or more than a day's,
    /// call timeout) waits as long here.
    /// </summary>
    private TimeSpan AttemptPatience =>
        options.CallTimeout == Timeout.InfiniteTimeSpan || options.CallTimeout > TimeSpan.FromDays(1) ? Timeout.InfiniteTimeSpan : options.CallTimeout * 4;

    /// <summary>Whether <paramref name="e"/> is this node stopping, the one thing that ends its watch.</summary>
    private static bool Stopping(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;

    /// <summary>
    /// Keeps the authority's revocation list fresh for end-to-end handshakes: a stale list fails closed, so a
    /// long-running node must renew it (the listeners share this trust context and see the new list at once).
    /// </summary>
    private async Task RefreshRevocationListAsync(CancellationToken cancellationToken)
    {
        if (trust is null || authorityIdentifier is null)
        {
            return;
        }

        var current = trust.GetRevocationList(authorityIdentifier);
        var now = options.Time.GetUtcNow();
        if (current is not null && current.Data.NextUpdate - now > (current.Data.NextUpdate - current.Data.IssuedAt) / 2)
        {
            return;
        }

        try
        {
            var list = await CallAsync(new GetRevocationListRequest(), cancellationToken).ConfigureAwait(false);
            trust.AcceptRevocationList(RevocationList.Decode(list.RevocationList), now);
        }
        catch (Exception e) when (e is EdgeException or TimeoutException or RoutingException or HandshakeException or OckamDecodeException)
        {
            // Try again at the next tick; the current list holds until its next update.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the connection to silo {Silo} broke; reconnecting")]
    private static partial void LogConnectionLost(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "secure channel open to silo {Silo}")]
    private static partial void LogConnected(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "relays and rooms renewed through silo {Silo}")]
    private static partial void LogRenewed(ILogger logger, string? silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reconnecting failed ({Error}: {Reason}); trying again in {Retry}")]
    private static partial void LogRenewalFailed(ILogger logger, string error, string reason, TimeSpan retry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "silo {Silo} did not answer the connection check ({Error}: {Reason}); reconnecting")]
    private static partial void LogUnanswered(ILogger logger, string? silo, string error, string reason);
}
