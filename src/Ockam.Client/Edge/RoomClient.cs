using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Client.Edge;

/// <summary>
/// This node's rooms and topics, as an MLS client (RFC 9420) of the silo's Delivery Service: it creates groups,
/// commits adds, removes and updates (merged only once the service accepted them as their epoch's commit), joins from
/// Welcomes, encrypts its messages and reads the group's log — commits and messages in the one order the service gave
/// them — from its <c>group-inbox</c> and by catching up. The silo orders and stores; it holds no group secret.
/// </summary>
/// <remarks>
/// Every group's state is touched only under <see cref="gate"/> and saved (<see cref="RoomStore"/>) before what it
/// records is used. Entries are handed on in the log's order, each once: a live delivery is taken only when it is the
/// next index; anything further ahead, or anything that does not verify, sends this node to the log, which is read
/// from the last index handled. What the log shows that MLS does not allow — two commits for one epoch, an entry of an
/// epoch whose commit was withheld — is surfaced as a <see cref="RoomIntegrityException"/>, never dropped silently.
/// </remarks>
public sealed partial class RoomClient : IWorker, IDisposable
{
    /// <summary>
    /// KeyPackages one commit adds: each costs about 300 bytes in the commit and 150 in the Welcome, so 100 of them stay
    /// well within one request (128 KiB).
    /// </summary>
    public const int MaxAddsPerCommit = 100;

    /// <summary>Attempts at a commit that lost its epoch to another member's: each one first processes the winner.</summary>
    private const int CommitAttempts = 3;

    /// <summary>Messages read and not yet acknowledged, kept (sealed) in the group's file: reading stops there until the consumer catches up.</summary>
    private const int MaxUnshown = RoomStore.MaxUnshown;

    /// <summary>
    /// How long a listened group may stay quiet before this node reads its log anyway: the silo's pushes are live and
    /// best effort (the log is the durable copy), so one lost in flight is read at the latest about this long after.
    /// </summary>
    private static readonly TimeSpan QuietCatchUp = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How far a group's saved state may lag the application messages read live. Until it is saved, the file holds the
    /// state from before them, whose keys still open them: after a crash they are read again from the group's log and
    /// shown again, as messages not yet acknowledged are anyway; an acknowledgement, a send and a commit save at once.
    /// One atomic write (two fsyncs) per message read was most of a delivery's cost.
    /// </summary>
    private static readonly TimeSpan SaveDelay = TimeSpan.FromSeconds(1);

    private readonly IVault vault;
    private readonly IEdgeApi api;
    private readonly Identifier self;
    private readonly PurposeKey signing;
    private readonly KeyHandle signingKey;
    private readonly RoomStore store;
    private readonly KeyPackageStore keyPackages;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly MlsMemberDirectory directory;
    private readonly MlsGroupServices services;
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>One catch-up at a time: a burst of out-of-order deliveries reads the log once, not once each.</summary>
    private readonly SemaphoreSlim catchingUp = new(1, 1);
    private readonly SemaphoreSlim entering = new(1, 1);
    private readonly Dictionary<GroupId, RoomState> rooms = [];
    private readonly Channel<(RoomMessage? Message, RoomIntegrityException? Problem)> received = Channel.CreateUnbounded<(RoomMessage?, RoomIntegrityException?)>();

    /// <summary>Called when this node listens to a group, so that the node keeps its connection (and with it the route) alive.</summary>
    private readonly Action? listening;

    /// <summary>The groups this node listens to, with the relay each was named with (null: the connection's); under <see cref="gate"/>.</summary>
    private readonly Dictionary<GroupId, string?> routes = [];

    /// <summary>Groups of <see cref="routes"/> not named again since the node reconnected (a transient failure); under <see cref="gate"/>.</summary>
    private readonly HashSet<GroupId> unrenewed = [];

    /// <summary>When each group last had a delivery here or its log was read; under <see cref="gate"/>.</summary>
    private readonly Dictionary<GroupId, DateTimeOffset> heard = [];

    /// <summary>Groups whose state changed with messages read live and is not saved yet; under <see cref="gate"/>.</summary>
    private readonly HashSet<GroupId> unsaved = [];

    private readonly CancellationTokenSource closing = new();

    /// <summary>A client for <paramref name="self"/>, whose leaves carry the public half of its GroupSigning key <paramref name="signing"/>.</summary>
    internal RoomClient(IVault vault, IEdgeApi api, LocalIdentity self, PurposeKey signing, RoomStore store, KeyPackageStore keyPackages, TimeProvider time, Action? listening = null, ILogger? logger = null)
    {
        this.logger = logger ?? NullLogger.Instance;
        this.vault = vault;
        this.api = api;
        this.self = self.Identifier;
        this.signing = signing;
        signingKey = signing.Key;
        this.store = store;
        this.keyPackages = keyPackages;
        this.time = time;
        this.listening = listening;
        directory = new MlsMemberDirectory(new KnownIdentities(vault), vault);

        // Our own leaves are checked like anyone's: by our history and our attested group signing key.
        directory.Add(self.History, signing.Attestation, time.GetUtcNow());
        services = new MlsGroupServices(vault, new OckamCredentialAuthentication(directory, time), RoleMembershipPolicy.Instance, time);
    }

    /// <summary>Creates room <paramref name="room"/> with this node as its only member and admin; fan-out reaches it through <paramref name="relay"/>.</summary>
    public Task CreateAsync(string room, string? relay, CancellationToken cancellationToken = default) =>
        CreateAsync(GroupId.Room(room), (info, tree) => new CreateRoomRequest(room, info, tree, relay), cancellationToken);

    /// <summary>Creates a topic: a group whose subscribers and publishers are decided by ABAC policies over their credentials.</summary>
    public Task CreateTopicAsync(string topic, string? relay, string subscribePolicy, string publishPolicy, CancellationToken cancellationToken = default) =>
        CreateAsync(GroupId.Topic(topic), (info, tree) => new CreateTopicRequest(topic, info, tree, subscribePolicy, publishPolicy, relay), cancellationToken);

    /// <summary>
    /// Adds <paramref name="member"/> in a new epoch, by one of the KeyPackages it published (its identity and group
    /// signing key verified here, not taken from the silo on trust). Where its deliveries go is the member's own
    /// choice, made when it listens (<see cref="ListenAsync"/>).
    /// </summary>
    public async Task InviteAsync(GroupId group, Identifier member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        var keyPackage = await ClaimAsync(member, cancellationToken).ConfigureAwait(false);
        await CommitAsync(group, _ => [new Proposal(new AddProposal(keyPackage))], forcePath: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks to join a topic (the silo checks the subscribe policy); an admin's next commit brings this node in, and its
    /// deliveries go to <paramref name="relay"/> (or this connection's). The node joins when its Welcome is pushed, or,
    /// if that push is lost, at its next quiet check (<see cref="CatchUpQuietAsync"/>).
    /// </summary>
    public async Task SubscribeAsync(string topic, string? relay, CancellationToken cancellationToken = default)
    {
        await api.CallAsync(new SubscribeTopicRequest(topic, relay), cancellationToken).ConfigureAwait(false);
        Locked(() => routes[GroupId.Topic(topic)] = relay);
        listening?.Invoke();
    }

    /// <summary>
    /// As an admin: adds every subscriber the policy admitted, at most <see cref="MaxAddsPerCommit"/> per commit (so
    /// that each commit and its Welcome fit one request, whatever the number waiting). Returns how many. A subscriber
    /// whose KeyPackage cannot be had now (none left, claimed too often, or one that does not verify) stays pending for
    /// the next admission: one subscriber that publishes none cannot stop the others' admission, nor the publications
    /// that follow it.
    /// </summary>
    public async Task<int> AdmitPendingAsync(string topic, CancellationToken cancellationToken = default)
    {
        var group = GroupId.Topic(topic);
        var info = await api.CallAsync(new GetRoomRequest(group), cancellationToken).ConfigureAwait(false);
        var admitted = 0;
        foreach (var batch in info.Pending.Select(Identifier.Parse).Chunk(MaxAddsPerCommit))
        {
            var joining = new List<KeyPackage>(batch.Length);
            foreach (var identifier in batch)
            {
                try
                {
                    joining.Add(await ClaimAsync(identifier, cancellationToken).ConfigureAwait(false));
                }
                catch (EdgeException e) when (e.Status is ApiStatus.NotAMember or ApiStatus.TooManyRequests or ApiStatus.Rejected)
                {
                }
            }

            if (joining.Count == 0)
            {
                continue;
            }

            await CommitAsync(group, _ => [.. joining.Select(k => new Proposal(new AddProposal(k)))], forcePath: false, cancellationToken).ConfigureAwait(false);
            admitted += joining.Count;
        }

        return admitted;
    }

    /// <summary>Removes <paramref name="member"/>: the commit's UpdatePath gives the next epoch a secret it cannot learn.</summary>
    public Task RemoveAsync(GroupId group, Identifier member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        return CommitAsync(
            group,
            room =>
            {
                List<Proposal> removes = [.. room.Group.Members.Where(m => OckamCredentialAuthentication.IdentifierOf(m.Leaf) == member).Select(m => new Proposal(new RemoveProposal(m.Index)))];
                return removes.Count > 0 ? removes : throw new EdgeException(ApiStatus.NotAMember, $"{member} is not a member of {group.Description}");
            },
            forcePath: true,
            cancellationToken);
    }

    /// <summary>A fresh path of keys from this member's leaf to the root: post-compromise security after a suspected leak, or periodically.</summary>
    public Task UpdateAsync(GroupId group, CancellationToken cancellationToken = default) =>
        CommitAsync(group, _ => [], forcePath: true, cancellationToken);

    /// <summary>
    /// Encrypts <paramref name="payload"/> in the group's current epoch; the state that used its generation is on disk
    /// before the message leaves, so none is ever used twice. If the service has moved on to a later epoch (a commit
    /// this node had not seen), the log is read first — where a withheld commit would show — and it is sent again in
    /// the epoch it leads to, so a member removed meanwhile never reads it.
    /// </summary>
    public async Task SendAsync(GroupId group, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        for (var attempt = 0; ; attempt++)
        {
            MlsMessage message;
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var room = Room(group);
                message = room.Group.Encrypt(payload);
                room.Sending(SHA256.HashData(message.Encode()));
                await store.SaveAsync(group, room, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }

            try
            {
                await api.CallAsync(new SendRoomRequest(group, message.Encode()), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (EdgeException e) when (e.Status == ApiStatus.Rejected && attempt == 0)
            {
                await CatchUpAsync(group, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The next message, in the log's order; it counts as shown only once it is acknowledged (<see cref="AcknowledgeAsync"/>).</summary>
    /// <exception cref="RoomIntegrityException">The log showed a fork, a withheld commit or an entry that does not verify.</exception>
    public async ValueTask<RoomMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var (message, problem) = await received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return message ?? throw problem!;
    }

    /// <summary>
    /// Records that <paramref name="message"/> (and every one before it) was shown: it leaves the group's saved list of
    /// unshown messages, so it is never handed on again. Called after showing it, so a crash in between shows it again
    /// rather than never.
    /// </summary>
    public async Task AcknowledgeAsync(RoomMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (rooms.TryGetValue(message.Group, out var room) && room.Unshown.RemoveAll(m => m.Index <= message.Index) > 0)
            {
                await store.SaveAsync(message.Group, room, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The members, by identifier.</summary>
    public IReadOnlyList<Identifier> Members(GroupId group) =>
        Locked(() => (IReadOnlyList<Identifier>)[.. Room(group).Group.Members.Select(m => OckamCredentialAuthentication.IdentifierOf(m.Leaf)).OfType<Identifier>()]);

    public ulong Epoch(GroupId group) => Locked(() => Room(group).Group.Epoch);

    /// <summary>Rooms and topics this node is in (from its home directory).</summary>
    public async Task<IReadOnlyList<GroupId>> KnownAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return [.. (await store.GroupsAsync(cancellationToken).ConfigureAwait(false)).Union(rooms.Keys)];
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// This member names where its deliveries of <paramref name="group"/> go — <paramref name="relay"/> (one it owns)
    /// or, without one, the connection it asks on — and then reads what it missed; from then on messages arrive
    /// live, in order, each once. Named first, read second: nothing sent in between is lost.
    /// </summary>
    /// <exception cref="EdgeException">Not a member (<see cref="ApiStatus.Denied"/>), or a relay it does not own.</exception>
    public async Task ListenAsync(GroupId group, string? relay = null, CancellationToken cancellationToken = default)
    {
        await api.CallAsync(new ListenRoomRequest(group, relay), cancellationToken).ConfigureAwait(false);
        Locked(() => routes[group] = relay);
        listening?.Invoke();
        await EnterAsync(group, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After the node reconnected: names each route again (a connection's reply relay ends with it) and reads what was missed meanwhile.</summary>
    internal Task RelistenAsync(CancellationToken cancellationToken)
    {
        Locked(() =>
        {
            unrenewed.UnionWith(routes.Keys);
            return true;
        });
        return RenewRoutesAsync(cancellationToken);
    }

    /// <summary>
    /// Names again each route not renewed since the reconnect, one group at a time, so that one group's refusal
    /// never costs the others their deliveries: a group that refuses this node (removed) is dropped; one that
    /// failed for now (timeout, silo busy) is tried again on the node's next check of its connection.
    /// </summary>
    internal async Task RenewRoutesAsync(CancellationToken cancellationToken)
    {
        foreach (var (group, relay) in Locked(() => unrenewed.Select(g => (g, routes.GetValueOrDefault(g))).ToList()))
        {
            try
            {
                // Entered, not only caught up: a subscriber admitted while its connection was away has no state yet, and
                // joins here from its Welcome; kept in unrenewed for want of one, the quiet check would never join it.
                await api.CallAsync(new ListenRoomRequest(group, relay), cancellationToken).ConfigureAwait(false);
                await EnterAsync(group, cancellationToken).ConfigureAwait(false);
                Locked(() => unrenewed.Remove(group));
            }
            catch (EdgeException e) when (e.Status is ApiStatus.Denied or ApiStatus.NotAMember)
            {
                // Removed, or (a subscriber not yet admitted: not in rooms) still waiting, its route held by the silo.
                Locked(() => unrenewed.Remove(group) | (rooms.ContainsKey(group) && routes.Remove(group)));
            }
            catch (Exception e) when (Retryable(e))
            {
                // Kept in unrenewed: the next check of the connection tries again.
                LogRouteNotRenewed(logger, group.Value, e.GetType().Name, e.Message);
            }
        }
    }

    /// <summary>
    /// Reads the log of each listened group that has been quiet for <see cref="QuietCatchUp"/>, so that a push lost in
    /// flight (the silo's, best effort) is shown late rather than never. One group's failure costs the others nothing.
    /// </summary>
    internal async Task CatchUpQuietAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var group in Locked(() => routes.Keys.Where(g => !unrenewed.Contains(g) && now - heard.GetValueOrDefault(g) >= QuietCatchUp).ToList()))
        {
            // Joins a topic whose Welcome push was lost (or whose join failed for now); reads the log of the others.
            await EnterQuietlyAsync(group, cancellationToken).ConfigureAwait(false);
            Locked(() => heard[group] = time.GetUtcNow());
        }
    }

    /// <summary>
    /// Makes <paramref name="group"/> ready here: a group this node is in resumes from its saved state (messages read
    /// before and not acknowledged come first); one it was invited to is joined from its Welcome. Then the log is read
    /// from where this node left it.
    /// </summary>
    /// <exception cref="EdgeException">This node is not in the group and no Welcome waits for it.</exception>
    public async Task EnterAsync(GroupId group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!Locked(() => rooms.ContainsKey(group)))
        {
            // One entry at a time: a Welcome's delivery and a listen may both set out to join, and a KeyPackage opens one Welcome once.
            await entering.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!Locked(() => rooms.ContainsKey(group)) && !await ResumeAsync(group, cancellationToken).ConfigureAwait(false))
                {
                    await JoinAsync(group, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                entering.Release();
            }
        }

        await CatchUpAsync(group, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the log after the last entry this node handled, page by page, and handles each entry in order.</summary>
    public async Task CatchUpAsync(GroupId group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        await catchingUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var more = true; more;)
            {
                var (index, full) = Locked(() => (Room(group).LastIndex, Room(group).Unshown.Count >= MaxUnshown));
                if (full)
                {
                    return;
                }

                var page = await api.CallAsync(new CatchUpRoomRequest(group, index), cancellationToken).ConfigureAwait(false);
                if (page.More && page.Entries.Count == 0)
                {
                    throw new EdgeException(ApiStatus.Unavailable, $"catching up {group.Description} made no progress");
                }

                // A commit whose new members' identities the silo cannot serve for now is not handled (it would be
                // refused and passed over for good, leaving this node in the old epoch): this page waits for the next try.
                if (!await LearnSignersAsync(page.Entries.Where(e => e.Kind == GroupDeliveryKind.Commit).Select(e => e.Bytes), cancellationToken).ConfigureAwait(false))
                {
                    throw new EdgeException(ApiStatus.Unavailable, $"the identities of new members of {group.Description} could not be fetched; try again");
                }

                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (!rooms.TryGetValue(group, out var room))
                    {
                        return;
                    }

                    var fresh = page.Entries.Where(e => e.Index > room.LastIndex).OrderBy(e => e.Index).ToList();
                    foreach (var entry in fresh)
                    {
                        Handle(group, room, entry.Index, entry.Kind, entry.Bytes, live: false);
                        if (!room.Group.IsActive)
                        {
                            Forget(group, room);
                            return;
                        }
                    }

                    // A quiet room's check reads an empty page: nothing changed, nothing to write (a state holds the tree).
                    if (fresh.Count > 0)
                    {
                        await store.SaveAsync(group, room, cancellationToken).ConfigureAwait(false);
                    }

                    heard[group] = time.GetUtcNow();
                }
                finally
                {
                    gate.Release();
                }

                more = page.More;
            }
        }
        finally
        {
            catchingUp.Release();
        }
    }

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        GroupDelivery delivery;
        try
        {
            delivery = GroupDelivery.Decode(message.Payload);
        }
        catch (OckamDecodeException)
        {
            return;
        }

        var handled = false;
        if (delivery.Kind != GroupDeliveryKind.Welcome)
        {
            if (delivery.Kind == GroupDeliveryKind.Commit)
            {
                await LearnSignersQuietlyAsync(delivery.Content, cancellationToken).ConfigureAwait(false);
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                heard[delivery.Group] = time.GetUtcNow();
                if (rooms.TryGetValue(delivery.Group, out var room) && delivery.Index <= room.LastIndex)
                {
                    return;
                }

                if (room is not null && delivery.Index == room.LastIndex + 1 && room.Unshown.Count < MaxUnshown)
                {
                    handled = Handle(delivery.Group, room, delivery.Index, delivery.Kind, delivery.Content, live: true);
                    if (handled)
                    {
                        if (!room.Group.IsActive)
                        {
                            Forget(delivery.Group, room);
                        }
                        else if (delivery.Kind == GroupDeliveryKind.Message)
                        {
                            SaveLater(delivery.Group);
                        }
                        else
                        {
                            await store.SaveAsync(delivery.Group, room, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }

        if (!handled)
        {
            // Off the worker's loop: catching up (or joining) calls the silo, whose answers this node's loop must stay free to route.
            _ = Task.Run(() => EnterQuietlyAsync(delivery.Group, CancellationToken.None), CancellationToken.None);
        }
    }

    /// <summary>Marks <paramref name="group"/> unsaved and, if no save is due, saves what is unsaved after <see cref="SaveDelay"/>; under <see cref="gate"/>.</summary>
    private void SaveLater(GroupId group)
    {
        if (unsaved.Add(group) && unsaved.Count == 1)
        {
            _ = Task.Run(() => SaveUnsavedAsync(closing.Token), CancellationToken.None);
        }
    }

    private async Task SaveUnsavedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(SaveDelay, time, cancellationToken).ConfigureAwait(false);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var group in unsaved)
                {
                    if (rooms.TryGetValue(group, out var room) && room.Group.IsActive)
                    {
                        await store.SaveAsync(group, room, cancellationToken).ConfigureAwait(false);
                    }
                }

                unsaved.Clear();
            }
            finally
            {
                gate.Release();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException or UnauthorizedAccessException)
        {
            // Closing, or the disk refused: the file keeps the state from before these messages, which still opens
            // them from the log. What stays unsaved is saved with the next save of its group, or read again after a
            // restart.
            await ClearUnsavedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Lets the next message read schedule a save again after one failed or was cancelled.</summary>
    private async Task ClearUnsavedAsync()
    {
        try
        {
            await gate.WaitAsync(closing.Token).ConfigureAwait(false);
            try
            {
                unsaved.Clear();
            }
            finally
            {
                gate.Release();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        // Once: a node may be disposed twice.
        if (closing.IsCancellationRequested)
        {
            return;
        }

        // A delayed save in progress finishes (or stops at its cancellation) before the groups' keys go.
        closing.Cancel();
        gate.Wait();
        foreach (var room in rooms.Values)
        {
            room.Dispose();
        }

        gate.Dispose();
        catchingUp.Dispose();
        entering.Dispose();
        closing.Dispose();
    }

    /// <summary>The group id MLS binds every message to: the typed id's value, so a room's messages never fit a topic of the same name.</summary>
    private static byte[] MlsGroupId(GroupId group) => System.Text.Encoding.UTF8.GetBytes(group.Value);

    /// <summary>Loads the saved state of <paramref name="group"/>, if any; messages read before and not acknowledged are handed on first.</summary>
    private async Task<bool> ResumeAsync(GroupId group, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await store.LoadAsync(group, services, signingKey, cancellationToken).ConfigureAwait(false) is not { } saved)
            {
                return false;
            }

            rooms[group] = saved;
            foreach (var message in saved.Unshown)
            {
                received.Writer.TryWrite((message, null));
            }

            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A join or catch-up a delivery set off: if it fails (the silo is away, no Welcome yet) the next delivery tries again.</summary>
    private async Task EnterQuietlyAsync(GroupId group, CancellationToken cancellationToken)
    {
        try
        {
            await EnterAsync(group, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Retryable(e))
        {
            LogCatchUpFailed(logger, group.Value, e.GetType().Name, e.Message);
        }
    }

    /// <summary>
    /// What entering a group may meet that a later try may not: the silo away or slow, or bytes from the log or a
    /// Welcome that do not decode or verify. Each is logged and tried again, and none stops the node or its watch.
    /// </summary>
    private static bool Retryable(Exception e) =>
        e is EdgeException or TimeoutException or RoutingException or HandshakeException or ObjectDisposedException or OckamDecodeException or MlsGroupException or MlsCryptoException;

    /// <summary>Creates <paramref name="group"/> with this node alone and as its admin, by the request <paramref name="create"/> makes of its GroupInfo and tree.</summary>
    private async Task CreateAsync<TRequest>(GroupId group, Func<byte[], byte[], TRequest> create, CancellationToken cancellationToken)
        where TRequest : IApiRequest<TRequest, EmptyResponse>
    {
        var own = await OckamKeyPackages.CreateAsync(vault, signing, time, [(ushort)GroupRoles.Type], KeyPersistence.Ephemeral, cancellationToken).ConfigureAwait(false);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (rooms.ContainsKey(group))
            {
                throw new EdgeException(ApiStatus.BadRequest, $"this node is already in {group.Description}");
            }

            var mls = await MlsGroup.CreateAsync(services, MlsGroupId(group), own, signingKey, [GroupRoles.Of([self]).ToExtension()], cancellationToken).ConfigureAwait(false);
            var room = new RoomState(mls, 0, new Dictionary<ulong, byte[]>(), [], []);
            try
            {
                await api.CallAsync(create(MlsMessage.Of(mls.GroupInfo(withRatchetTree: false)).Encode(), mls.ExportRatchetTree().Encode()), cancellationToken).ConfigureAwait(false);
                await store.SaveAsync(group, room, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                room.Dispose();
                throw;
            }

            rooms[group] = room;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// One of <paramref name="member"/>'s KeyPackages, with its identity: the history (checked under the no-rollback
    /// rule) and the GroupSigning attestation go to the directory the Authentication Service reads, so the package's
    /// leaf is accepted only if its signature key is the one the identity attested.
    /// </summary>
    private async Task<KeyPackage> ClaimAsync(Identifier member, CancellationToken cancellationToken)
    {
        var claimed = await api.CallAsync(new ClaimKeyPackageRequest(member.ToString()), cancellationToken).ConfigureAwait(false);
        KeyPackage keyPackage;
        try
        {
            var key = directory.Add(ChangeHistory.Decode(claimed.History), PurposeKeyAttestation.Decode(claimed.Signing), time.GetUtcNow());
            keyPackage = KeyPackage.Decode(claimed.KeyPackage.Span);
            if (key.Subject != member || OckamCredentialAuthentication.IdentifierOf(keyPackage.LeafNode) != member)
            {
                throw new EdgeException(ApiStatus.Rejected, $"the silo returned another identity's key package for {member}");
            }
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            throw new EdgeException(ApiStatus.Rejected, $"the key package of {member} does not verify: {e.Message}");
        }

        return keyPackage;
    }

    /// <summary>
    /// Joins <paramref name="group"/> from the Welcome the service keeps for this node: the ratchet tree of its epoch is
    /// read in pages (it is checked against the Welcome's signed GroupInfo, not trusted), every leaf's identity is
    /// fetched and verified, and the KeyPackage it names must be one this node published. Reading the log starts after
    /// the commit that added it.
    /// </summary>
    private async Task JoinAsync(GroupId group, CancellationToken cancellationToken)
    {
        var invitation = await api.CallAsync(new GetWelcomeRequest(group), cancellationToken).ConfigureAwait(false);
        var welcome = MlsMessage.Decode(invitation.Welcome.Span).Welcome
            ?? throw new EdgeException(ApiStatus.Rejected, $"the Welcome to {group.Description} is not a Welcome");
        if (invitation.TreeLength > RoomStore.MaxSize)
        {
            throw new EdgeException(ApiStatus.Rejected, $"the ratchet tree of {group.Description} is {invitation.TreeLength} bytes, over {RoomStore.MaxSize}");
        }

        var tree = new byte[invitation.TreeLength];
        for (var offset = 0; offset < tree.Length;)
        {
            var page = await api.CallAsync(new GetRoomTreeRequest(group, invitation.Epoch, (ulong)offset), cancellationToken).ConfigureAwait(false);
            if (page.Chunk.Length == 0 || page.Chunk.Length > tree.Length - offset)
            {
                throw new EdgeException(ApiStatus.Rejected, $"the ratchet tree of {group.Description} came in a page of {page.Chunk.Length} bytes at {offset} of {tree.Length}");
            }

            page.Chunk.Span.CopyTo(tree.AsSpan(offset));
            offset += page.Chunk.Length;
        }

        var ratchetTree = RatchetTree.Decode(tree);
        var leaves = ratchetTree.Nodes.Select(n => n?.Leaf).OfType<LeafNode>().ToList();
        await LearnSignersAsync(leaves, cancellationToken).ConfigureAwait(false);

        // A KeyPackage opens one Welcome once, so it is taken only when nothing left to fetch can fail the join: an
        // identity page refused while the silo is busy leaves it for the next attempt instead of losing the invitation.
        if (directory.Missing(leaves).Count is > 0 and var unknown)
        {
            throw new EdgeException(ApiStatus.Unavailable, $"the identities of {unknown} members of {group.Description} could not be fetched; try again");
        }

        foreach (var secrets in welcome.Secrets)
        {
            if (await keyPackages.TakeAsync(secrets.NewMember.ToArray(), cancellationToken).ConfigureAwait(false) is not { } mine)
            {
                continue;
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var mls = MlsGroup.Join(services, welcome, mine.KeyPackage, mine.InitKey, mine.EncryptionKey, signingKey, ratchetTree);
                if (!mls.GroupId.SequenceEqual(MlsGroupId(group)))
                {
                    mls.Dispose();
                    throw new EdgeException(ApiStatus.Rejected, $"the Welcome is to another group than {group.Description}");
                }

                var room = new RoomState(mls, invitation.Index, new Dictionary<ulong, byte[]>(), [], []);
                await store.SaveAsync(group, room, cancellationToken).ConfigureAwait(false);
                rooms[group] = room;
                return;
            }
            finally
            {
                gate.Release();
            }
        }

        throw new EdgeException(ApiStatus.NotAMember, $"the Welcome to {group.Description} is for none of this node's key packages");
    }

    /// <summary>
    /// Commits the proposals <paramref name="proposals"/> makes of the group's state. The commit is pending until the
    /// service answers: accepted, the messages logged before it are read in the old epoch first, then it is merged;
    /// refused because another commit won the epoch, it is discarded (this member does not fork itself off), the
    /// winner is processed from the log, and the proposals are made again against the new epoch.
    /// </summary>
    private async Task CommitAsync(GroupId group, Func<RoomState, IReadOnlyList<Proposal>> proposals, bool forcePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        await EnterAsync(group, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var room = Room(group);
                var pending = await room.Group.CommitAsync(proposals(room), forcePath, ratchetTreeInWelcome: false, cancellationToken).ConfigureAwait(false);
                CommitRoomResponse answer;
                try
                {
                    var welcome = pending.Welcome is { } w ? (ReadOnlyMemory<byte>?)MlsMessage.Of(w).Encode() : null;
                    answer = await api.CallAsync(new CommitRoomRequest(group, pending.Commit.Encode(), welcome), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    room.Group.DiscardPendingCommit();
                    throw;
                }

                if (answer.Accepted)
                {
                    var commit = pending.Commit.Encode();
                    await ReadBeforeAsync(group, room, answer.Index, cancellationToken).ConfigureAwait(false);
                    room.Group.MergePendingCommit();
                    room.Entered(room.Group.Epoch, SHA256.HashData(commit));
                    room.LastIndex = answer.Index;
                    await store.SaveAsync(group, room, cancellationToken).ConfigureAwait(false);
                    return;
                }

                room.Group.DiscardPendingCommit();
                if (attempt == CommitAttempts)
                {
                    throw new EdgeException(ApiStatus.Rejected, $"{group.Description} moved on {CommitAttempts} times while this node committed; try again");
                }
            }
            finally
            {
                gate.Release();
            }

            await CatchUpAsync(group, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads, in the epoch this node is still in, the messages the log took before its own commit at <paramref name="commitIndex"/>.</summary>
    private async Task ReadBeforeAsync(GroupId group, RoomState room, ulong commitIndex, CancellationToken cancellationToken)
    {
        while (room.LastIndex + 1 < commitIndex)
        {
            var page = await api.CallAsync(new CatchUpRoomRequest(group, room.LastIndex), cancellationToken).ConfigureAwait(false);
            var before = page.Entries.Where(e => e.Index > room.LastIndex && e.Index < commitIndex).OrderBy(e => e.Index).ToList();
            if (before.Count == 0)
            {
                break;
            }

            foreach (var entry in before)
            {
                Handle(group, room, entry.Index, entry.Kind, entry.Bytes, live: false);
            }
        }
    }

    /// <summary>
    /// Handles the log's entry at <paramref name="index"/> (the next one) under the lock. From the log (the service's
    /// order is authoritative) it is always passed over once handled, and what MLS does not allow is surfaced; a live
    /// delivery that does not fit is left for the log (false), so nothing unverified moves this node's position.
    /// </summary>
    private bool Handle(GroupId group, RoomState room, ulong index, GroupDeliveryKind kind, ReadOnlyMemory<byte> bytes, bool live)
    {
        (RoomIntegrityError Error, string Message)? problem;
        bool fits;
        try
        {
            var message = MlsMessage.Decode(bytes.Span);
            problem = kind == GroupDeliveryKind.Commit ? HandleCommit(room, message, bytes, live, out fits) : HandleMessage(group, room, index, message, bytes, live, out fits);
        }
        catch (OckamDecodeException e)
        {
            (problem, fits) = ((RoomIntegrityError.Unreadable, $"not an MLS message: {e.Message}"), !live);
        }

        if (!fits)
        {
            return false;
        }

        room.LastIndex = index;
        if (problem is not null)
        {
            received.Writer.TryWrite((null, new RoomIntegrityException(group, problem.Value.Error, index, $"{group.Description}, entry {index}: {problem.Value.Message}")));
        }

        return true;
    }

    private static (RoomIntegrityError Error, string Message)? HandleCommit(RoomState room, MlsMessage message, ReadOnlyMemory<byte> bytes, bool live, out bool fits)
    {
        fits = true;
        if (message.PublicMessage is not { Content.ContentType: ContentType.Commit } commit)
        {
            fits = !live;
            return (RoomIntegrityError.Unreadable, "a commit entry that is not a public commit");
        }

        var epoch = commit.Content.Epoch;
        var hash = SHA256.HashData(bytes.Span);
        if (epoch < room.Group.Epoch)
        {
            // An epoch this node has left: the commit that led out of it must be the one it applied.
            return room.Commits.TryGetValue(epoch + 1, out var applied) && !applied.AsSpan().SequenceEqual(hash)
                ? (RoomIntegrityError.Fork, $"a second, different commit for epoch {epoch}: members were shown different groups")
                : null;
        }

        if (epoch > room.Group.Epoch)
        {
            fits = !live;
            return (RoomIntegrityError.WithheldCommit, $"a commit of epoch {epoch} while this node is in epoch {room.Group.Epoch}: a commit was withheld from it");
        }

        try
        {
            room.Group.ProcessCommit(message);
            room.Entered(room.Group.Epoch, hash);
            return null;
        }
        catch (MlsGroupException e) when (e.Error == MlsGroupError.ForkDetected)
        {
            return (RoomIntegrityError.Fork, e.Message);
        }
        catch (Exception e) when (e is MlsGroupException or MlsCryptoException)
        {
            fits = !live;
            return (RoomIntegrityError.Unreadable, $"the commit is refused: {e.Message}");
        }
    }

    private (RoomIntegrityError Error, string Message)? HandleMessage(GroupId group, RoomState room, ulong index, MlsMessage message, ReadOnlyMemory<byte> bytes, bool live, out bool fits)
    {
        fits = true;
        if (message.PrivateMessage is not { ContentType: ContentType.Application } encrypted)
        {
            fits = !live;
            return (RoomIntegrityError.Unreadable, "a message entry that is not an encrypted application message");
        }

        if (encrypted.Epoch > room.Group.Epoch)
        {
            fits = !live;
            return (RoomIntegrityError.WithheldCommit, $"a message of epoch {encrypted.Epoch} while this node is in epoch {room.Group.Epoch}: a commit was withheld from it");
        }

        if (room.IsOwn(SHA256.HashData(bytes.Span)))
        {
            return null;
        }

        try
        {
            var (sender, data) = room.Group.Decrypt(message);
            // The sender's leaf by its index (it signed what just verified), not a walk over every member per message.
            var identifier = OckamCredentialAuthentication.IdentifierOf(room.Group.Member(sender)!)!;
            if (identifier == self)
            {
                return null;
            }

            var shown = new RoomMessage(group, identifier, data, index, encrypted.Epoch);
            room.Unshown.Add(shown);
            received.Writer.TryWrite((shown, null));
            return null;
        }
        catch (Exception e) when (e is MlsGroupException or MlsCryptoException)
        {
            fits = !live;
            return (RoomIntegrityError.Unreadable, $"the message does not decrypt or verify in epoch {encrypted.Epoch}: {e.Message}");
        }
    }

    /// <summary>
    /// Puts in the Authentication Service's directory the identities that <paramref name="commits"/>' new leaves name and
    /// it does not know yet, fetched from the silo and verified here (no rollback, attested signing key).
    /// </summary>
    /// <returns>False if the silo could not answer for some of them for now (<see cref="ApiStatus.Unavailable"/>): what
    /// names them must wait, not be refused for good.</returns>
    private Task<bool> LearnSignersAsync(IEnumerable<ReadOnlyMemory<byte>> commits, CancellationToken cancellationToken) =>
        LearnSignersAsync(commits.SelectMany(NewLeaves), cancellationToken);

    private async Task<bool> LearnSignersAsync(IEnumerable<LeafNode> leaves, CancellationToken cancellationToken)
    {
        var answered = true;

        // A page of identities per request: a joiner of a group of 1 000 makes 16 requests, not 1 000.
        foreach (var page in directory.Missing(leaves).Chunk(GetGroupKeysRequest.MaxSubjects))
        {
            GetGroupKeysResponse found;
            try
            {
                found = await api.CallAsync(new GetGroupKeysRequest([.. page.Select(i => i.ToString())]), cancellationToken).ConfigureAwait(false);
            }
            catch (EdgeException e)
            {
                // Left unknown: the Authentication Service refuses their leaves, and with them the commit or Welcome.
                answered &= e.Status != ApiStatus.Unavailable;
                continue;
            }

            foreach (var keys in found.Keys)
            {
                directory.TryAdd(keys.History, keys.Signing, time.GetUtcNow());
            }
        }

        return answered;
    }

    private async Task LearnSignersQuietlyAsync(ReadOnlyMemory<byte> commit, CancellationToken cancellationToken)
    {
        try
        {
            await LearnSignersAsync([commit], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or RoutingException)
        {
        }
    }

    private static IEnumerable<LeafNode> NewLeaves(ReadOnlyMemory<byte> commit)
    {
        Commit? body;
        try
        {
            body = MlsMessage.Decode(commit.Span).PublicMessage?.Content.Commit;
        }
        catch (OckamDecodeException)
        {
            yield break;
        }

        if (body is null)
        {
            yield break;
        }

        foreach (var proposal in body.Proposals)
        {
            switch (proposal.Proposal?.Body)
            {
                case AddProposal add:
                    yield return add.KeyPackage.LeafNode;
                    break;
                case UpdateProposal update:
                    yield return update.LeafNode;
                    break;
            }
        }

        if (body.Path is { } path)
        {
            yield return path.LeafNode;
        }
    }

    /// <summary>This node was removed from <paramref name="group"/>: it reads and sends nothing more there.</summary>
    private void Forget(GroupId group, RoomState room)
    {
        rooms.Remove(group);
        routes.Remove(group);
        heard.Remove(group);
        store.Delete(group);
        room.Dispose();
    }

    private T Locked<T>(Func<T> read)
    {
        gate.Wait();
        try
        {
            return read();
        }
        finally
        {
            gate.Release();
        }
    }

    private RoomState Room(GroupId group) =>
        rooms.TryGetValue(group, out var room) ? room : throw new EdgeException(ApiStatus.BadRequest, $"this node is not in {group.Description}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Group}: naming its route again failed ({Error}: {Reason}); tried again at the next check of the connection")]
    private static partial void LogRouteNotRenewed(ILogger logger, string group, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Group}: reading its log failed ({Error}: {Reason}); tried again at the next delivery or quiet check")]
    private static partial void LogCatchUpFailed(ILogger logger, string group, string error, string reason);
}
