using System.Threading.Channels;
using Ockam.Identity.Encoding;
using Ockam.Identity.Groups;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;

namespace Ockam.Client.Edge;

/// <summary>
/// This node's encrypted rooms and topics: it makes and applies epochs (sealing each fresh secret to the members'
/// attested keys), encrypts and signs its messages, and decrypts what the group grains fan out to its
/// <c>group-inbox</c>. The silo orders and stores; it holds no room key.
/// </summary>
/// <remarks>
/// Every session, position and the progress file are touched only under <see cref="gate"/>. Messages are handed on
/// in the order of the group's log, each index once: a live delivery is taken only if it is the next index (and of
/// the epoch this node is in); anything further ahead means something was missed, and the log is read from the
/// last index handed on, so the overlap of catching up and live delivery neither repeats nor skips a message.
/// </remarks>
public sealed class RoomClient : IWorker, IDisposable
{
    private readonly IVault vault;
    private readonly IEdgeApi api;
    private readonly GroupMember self;
    private readonly KeyHandle agreementKey;
    private readonly KeyHandle signingKey;
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>One catch-up at a time: a burst of out-of-order deliveries reads the log once, not once each.</summary>
    private readonly SemaphoreSlim catchingUp = new(1, 1);
    private readonly Dictionary<GroupId, GroupSession> sessions = [];
    private readonly Dictionary<GroupId, ulong> lastIndex = [];

    /// <summary>
    /// The last index the consumer acknowledged (<see cref="AcknowledgeAsync"/>) and the epoch it was in: what is
    /// saved, apart from <see cref="lastIndex"/> (what was queued), so a message queued but never shown (a command
    /// other than listen, a listen that stopped early, a crash before printing) is read again next time.
    /// </summary>
    private readonly Dictionary<GroupId, (ulong Index, ulong Epoch)> shown = [];
    private readonly Channel<RoomMessage> received = Channel.CreateUnbounded<RoomMessage>();
    private readonly RoomProgress? progress;

    /// <summary>Called when this node listens to a group, so that the node keeps its connection (and with it the route) alive.</summary>
    private readonly Action? listening;

    /// <summary>The groups this node listens to, with the relay each was named with (null: the connection's); under <see cref="gate"/>.</summary>
    private readonly Dictionary<GroupId, string?> routes = [];

    /// <summary>Groups of <see cref="routes"/> not named again since the node reconnected (a transient failure); under <see cref="gate"/>.</summary>
    private readonly HashSet<GroupId> unrenewed = [];

    internal RoomClient(IVault vault, IEdgeApi api, GroupMember self, KeyHandle agreementKey, KeyHandle signingKey, RoomProgress? progress = null, Action? listening = null)
    {
        this.progress = progress;
        this.listening = listening;
        this.vault = vault;
        this.api = api;
        this.self = self;
        this.agreementKey = agreementKey;
        this.signingKey = signingKey;
    }

    /// <summary>Creates room <paramref name="room"/> with this node as its only member and admin; fan-out reaches it through <paramref name="relay"/>.</summary>
    public Task CreateAsync(string room, string? relay, CancellationToken cancellationToken = default) =>
        CreateAsync(GroupId.Room(room), commit => new CreateRoomRequest(room, commit, relay), cancellationToken);

    /// <summary>
    /// Adds <paramref name="member"/> (its group keys verified against its history) in a new epoch. Where its
    /// deliveries go is the member's own choice, made when it listens (<see cref="ListenAsync"/>).
    /// </summary>
    public async Task InviteAsync(GroupId group, Identifier member, CancellationToken cancellationToken = default)
    {
        var joining = await FetchMemberAsync(member, cancellationToken).ConfigureAwait(false);
        await CommitAsync(group, members => [.. members.Where(m => m.Identifier != member), joining], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a topic: a group whose subscribers and publishers are decided by ABAC policies over their credentials.</summary>
    public Task CreateTopicAsync(string topic, string? relay, string subscribePolicy, string publishPolicy, CancellationToken cancellationToken = default) =>
        CreateAsync(GroupId.Topic(topic), commit => new CreateTopicRequest(topic, commit, subscribePolicy, publishPolicy, relay), cancellationToken);

    /// <summary>Asks to join a topic (the silo checks the subscribe policy); an admin's next commit brings this node in.</summary>
    public Task SubscribeAsync(string topic, string? relay, CancellationToken cancellationToken = default) =>
        api.CallAsync(new SubscribeTopicRequest(topic, relay), cancellationToken);

    /// <summary>As an admin: adds every subscriber the policy admitted, in one new epoch. Returns how many.</summary>
    public async Task<int> AdmitPendingAsync(string topic, CancellationToken cancellationToken = default)
    {
        var group = GroupId.Topic(topic);
        var info = await api.CallAsync(new GetRoomRequest(group), cancellationToken).ConfigureAwait(false);
        var pending = info.Pending.Select(Identifier.Parse).ToList();
        if (pending.Count == 0)
        {
            return 0;
        }

        var joining = new List<GroupMember>();
        foreach (var identifier in pending)
        {
            joining.Add(await FetchMemberAsync(identifier, cancellationToken).ConfigureAwait(false));
        }

        await CommitAsync(group, members => [.. members.Where(m => joining.All(j => j.Identifier != m.Identifier)), .. joining], cancellationToken).ConfigureAwait(false);
        return joining.Count;
    }

    /// <summary>Removes <paramref name="member"/>: the new epoch's secret is sealed to everyone else only.</summary>
    public Task RemoveAsync(GroupId group, Identifier member, CancellationToken cancellationToken = default) =>
        CommitAsync(group, members => [.. members.Where(m => m.Identifier != member)], cancellationToken);

    /// <summary>A fresh epoch secret for the same members (after a suspected leak, or periodically).</summary>
    public Task UpdateAsync(GroupId group, CancellationToken cancellationToken = default) =>
        CommitAsync(group, members => [.. members], cancellationToken);

    /// <summary>Encrypts and signs <paramref name="payload"/>; its generation is on disk before the message leaves, so it is never used twice.</summary>
    public async Task SendAsync(GroupId group, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        GroupMessage message;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            message = Session(group).Encrypt(payload.Span);
            await SaveLockedAsync(group, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        await api.CallAsync(new SendRoomRequest(group, message.Encode()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next message, in the log's order; it counts as shown only once it is acknowledged (<see cref="AcknowledgeAsync"/>).</summary>
    public ValueTask<RoomMessage> ReceiveAsync(CancellationToken cancellationToken = default) => received.Reader.ReadAsync(cancellationToken);

    /// <summary>
    /// Records that <paramref name="message"/> (and every one before it) was shown: saved, so it is never handed on
    /// again. Called after showing it, so a crash in between shows it again rather than never.
    /// </summary>
    public async Task AcknowledgeAsync(RoomMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (message.Index > shown.GetValueOrDefault(message.Group).Index)
            {
                shown[message.Group] = (message.Index, message.Epoch);
                await SaveLockedAsync(message.Group, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public IReadOnlyList<GroupMember> Members(GroupId group) => Locked(() => Session(group).Members);

    public ulong Epoch(GroupId group) => Locked(() => Session(group).Epoch);

    /// <summary>Rooms and topics this node has been in (from its home directory).</summary>
    public async Task<IReadOnlyList<GroupId>> KnownAsync(CancellationToken cancellationToken = default)
    {
        if (progress is null)
        {
            return [];
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await progress.GroupsAsync(cancellationToken).ConfigureAwait(false);
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
                await api.CallAsync(new ListenRoomRequest(group, relay), cancellationToken).ConfigureAwait(false);
                await CatchUpAsync(group, cancellationToken).ConfigureAwait(false);
                Locked(() => unrenewed.Remove(group));
            }
            catch (EdgeException e) when (e.Status is ApiStatus.Denied or ApiStatus.NotAMember)
            {
                Locked(() => unrenewed.Remove(group) | routes.Remove(group));
            }
            catch (Exception e) when (e is EdgeException or TimeoutException or RoutingException)
            {
                // Kept in unrenewed: the next check of the connection tries again.
            }
        }
    }

    /// <summary>A group this node was in resumes where it was (<see cref="ResumeAsync"/>); any other is joined from its log.</summary>
    public async Task EnterAsync(GroupId group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var resume = progress is not null && !Locked(() => sessions.ContainsKey(group)) && (await KnownAsync(cancellationToken).ConfigureAwait(false)).Contains(group);
        await (resume ? ResumeAsync(group, cancellationToken) : CatchUpAsync(group, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Picks up a group this node was in before it restarted: the epoch secret comes back from the log (its
    /// commit seals it to this node's persistent key), the sending ratchet resumes past every generation
    /// already used, and messages already shown are not handed on again. Reading starts at the epoch of the last
    /// message shown, not the saved one: a command that applied later commits left the messages before them unshown.
    /// </summary>
    public async Task ResumeAsync(GroupId group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        RoomProgress.Entry saved;
        ulong from;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            saved = (progress is null ? null : await progress.GetAsync(group, cancellationToken).ConfigureAwait(false))
                ?? throw new EdgeException(ApiStatus.BadRequest, $"this node has not been in {Describe(group)}");
            from = saved.ShownEpoch == 0 ? saved.Epoch : Math.Min(saved.ShownEpoch, saved.Epoch);
            lastIndex[group] = Math.Max(lastIndex.GetValueOrDefault(group), saved.LastIndex);
            shown[group] = (saved.LastIndex, from);
        }
        finally
        {
            gate.Release();
        }

        await CatchUpFromAsync(group, from - 1, cancellationToken).ConfigureAwait(false);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (sessions.TryGetValue(group, out var session) && session.Epoch == saved.Epoch)
            {
                session.ResumeSendingAt(saved.NextGeneration);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Fetches what this node missed (commits and messages it was away for) and applies them in order.</summary>
    public Task CatchUpAsync(GroupId group, CancellationToken cancellationToken = default) =>
        CatchUpFromAsync(group, Locked(() => sessions.TryGetValue(group, out var known) ? known.Epoch : 0), cancellationToken);

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

        bool inOrder;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            inOrder = delivery.Kind == GroupDeliveryKind.Commit
                ? ApplyLiveLocked(delivery.Group, GroupCommit.Decode(delivery.Content), delivery.Index)
                : DeliverLocked(delivery.Group, delivery.Index, GroupMessage.Decode(delivery.Content), live: true);
            await SaveLockedAsync(delivery.Group, cancellationToken).ConfigureAwait(false);
        }
        catch (OckamDecodeException)
        {
            // Not a commit or message at all: nothing to read, nothing missed.
            return;
        }
        finally
        {
            gate.Release();
        }

        if (!inOrder)
        {
            // Off the worker's loop: catching up calls the silo, whose answers this node's loop must stay free to route.
            _ = Task.Run(() => CatchUpQuietlyAsync(delivery.Group), CancellationToken.None);
        }
    }

    public void Dispose()
    {
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }

        gate.Dispose();
        catchingUp.Dispose();
    }

    /// <summary>Test hook: a group's session (its epoch secret is what the service must never see).</summary>
    internal GroupSession SessionFor(GroupId group) => Locked(() => Session(group));

    /// <summary>A catch-up a delivery set off: if it fails (the silo is away) the next delivery out of order tries again.</summary>
    private async Task CatchUpQuietlyAsync(GroupId group)
    {
        try
        {
            await CatchUpAsync(group, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EdgeException or TimeoutException or RoutingException or ObjectDisposedException or OckamDecodeException)
        {
        }
    }

    /// <summary>
    /// Asks page by page (the silo answers at most one frame's worth at a time) until nothing is left, and only
    /// then applies: a message is readable only in its own epoch, so commits are applied as the messages need them.
    /// </summary>
    private async Task CatchUpFromAsync(GroupId group, ulong epoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        await catchingUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var allCommits = new List<GroupCommit>();
            var allMessages = new List<(ulong Index, GroupMessage Message)>();
            var index = Locked(() => lastIndex.GetValueOrDefault(group));
            for (var more = true; more;)
            {
                var response = await api.CallAsync(new CatchUpRoomRequest(group, epoch, index), cancellationToken).ConfigureAwait(false);
                var commits = response.Commits.Select(c => GroupCommit.Decode(c)).ToList();
                var messages = response.Messages.Select(m => (m.Index, Message: GroupMessage.Decode(m.Message))).ToList();
                allCommits.AddRange(commits);
                allMessages.AddRange(messages);
                var (nextEpoch, nextIndex) = (commits.Count > 0 ? commits.Max(c => c.Body.Epoch) : epoch, messages.Count > 0 ? messages.Max(m => m.Index) : index);
                more = response.More;
                if (more && nextEpoch <= epoch && nextIndex <= index)
                {
                    throw new EdgeException(ApiStatus.Unavailable, $"catching up {Describe(group)} made no progress");
                }

                (epoch, index) = (nextEpoch, nextIndex);
            }

            var pending = new Queue<GroupCommit>(allCommits.OrderBy(c => c.Body.Epoch));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var (at, message) in allMessages.OrderBy(m => m.Index))
                {
                    // A message is readable only in its own epoch: apply the commits that lead up to it first.
                    while (pending.Count > 0 && (!sessions.TryGetValue(group, out var s) || s.Epoch < message.Epoch))
                    {
                        ApplyLocked(group, pending.Dequeue());
                    }

                    DeliverLocked(group, at, message, live: false);
                }

                while (pending.Count > 0)
                {
                    ApplyLocked(group, pending.Dequeue());
                }

                await SaveLockedAsync(group, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
        finally
        {
            catchingUp.Release();
        }
    }

    /// <summary>Creates <paramref name="group"/> with this node alone, by the request <paramref name="create"/> makes of its first commit.</summary>
    private async Task CreateAsync<TRequest>(GroupId group, Func<byte[], TRequest> create, CancellationToken cancellationToken)
        where TRequest : IApiRequest<TRequest, EmptyResponse>
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (session, commit) = GroupSession.Create(vault, group.Value, self, agreementKey, signingKey);
            await api.CallAsync(create(commit.Encode()), cancellationToken).ConfigureAwait(false);
            sessions[group] = session;
            shown.TryAdd(group, (0, session.Epoch));
            await SaveLockedAsync(group, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A member-to-be's group keys, verified against its history (the silo could otherwise slip in keys of its own).</summary>
    private async Task<GroupMember> FetchMemberAsync(Identifier member, CancellationToken cancellationToken)
    {
        var keys = await api.CallAsync(new GetGroupKeysRequest(member.ToString()), cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var identity = ChangeHistory.Decode(keys.History).Verify(vault, now);
        if (identity.Identifier != member)
        {
            throw new EdgeException(ApiStatus.Rejected, "the silo returned another identity's keys");
        }

        identity.EnsureUsable(now);
        var agreement = PurposeKeyAttestation.Decode(keys.Agreement).Verify(identity, Purpose.GroupKeyAgreement, vault, now);
        var signing = PurposeKeyAttestation.Decode(keys.Signing).Verify(identity, Purpose.GroupSigning, vault, now);
        return new GroupMember(member, agreement.PublicKey, signing.PublicKey);
    }

    private async Task CommitAsync(GroupId group, Func<IReadOnlyList<GroupMember>, List<GroupMember>> members, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = Session(group);
            var commit = session.Commit(members(session.Members));
            await api.CallAsync(new CommitRoomRequest(group, commit.Encode()), cancellationToken).ConfigureAwait(false);
            await SaveLockedAsync(group, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Applies a commit delivered live only when nothing can be lost by it: this node is in the group, the commit
    /// is of the next epoch, and every message logged before it (up to <paramref name="loggedAfter"/>) was handed on.
    /// False otherwise: the log is read, where commits are applied as its messages need them. A message of the old
    /// epoch still to come (a delivery refused while offline) would no longer decrypt after the commit; and joining
    /// live would skip the backlog a catch-up is about to read.
    /// </summary>
    private bool ApplyLiveLocked(GroupId group, GroupCommit commit, ulong loggedAfter)
    {
        if (commit.Body.Group != group.Value)
        {
            return true;
        }

        if (!sessions.TryGetValue(group, out var session))
        {
            return false;
        }

        if (commit.Body.Epoch <= session.Epoch)
        {
            return true;
        }

        if (commit.Body.Epoch != session.Epoch + 1 || lastIndex.GetValueOrDefault(group) != loggedAfter)
        {
            return false;
        }

        ApplyLocked(group, commit);
        return true;
    }

    /// <summary>Applies a commit of <paramref name="group"/> read from the log, in order.</summary>
    private void ApplyLocked(GroupId group, GroupCommit commit)
    {
        // A commit bound to another group id (a room's posing as a topic's, or another room's) is not this group's.
        if (commit.Body.Group != group.Value)
        {
            return;
        }

        try
        {
            if (sessions.TryGetValue(group, out var session))
            {
                if (commit.Body.Epoch <= session.Epoch)
                {
                    return;
                }

                session.Apply(commit);
            }
            else if (commit.Body.Members.Any(m => m.Identifier == self.Identifier))
            {
                sessions[group] = GroupSession.Join(vault, commit, self, agreementKey, signingKey);

                // Nothing before the epoch it joined is readable: unshown messages are read from there.
                shown.TryAdd(group, (0, commit.Body.Epoch));
            }
        }
        catch (GroupException)
        {
            // Refused by the session (not signed by a member, or this node was removed): nothing to apply.
        }
    }

    /// <summary>
    /// Hands on message <paramref name="index"/> of <paramref name="group"/> if it is the next one; false when a live
    /// one shows something was missed (a message or the commit of its epoch), which catching up then reads in order.
    /// </summary>
    private bool DeliverLocked(GroupId group, ulong index, GroupMessage message, bool live)
    {
        var last = lastIndex.GetValueOrDefault(group);
        if (index <= last)
        {
            return true;
        }

        if (!sessions.TryGetValue(group, out var session))
        {
            return !live;
        }

        if (live && (index != last + 1 || message.Epoch > session.Epoch))
        {
            return false;
        }

        lastIndex[group] = index;
        if (message.Sender != self.Identifier && message.Group == group.Value)
        {
            try
            {
                received.Writer.TryWrite(new RoomMessage(group, message.Sender, session.Decrypt(message), index, session.Epoch));
                return true;
            }
            catch (GroupException)
            {
                // Sent in an epoch this member was not in, or forged: nothing it may read.
            }
        }

        // Nothing to show: it counts as shown once everything before it was, so it is not read again next time.
        if (shown.GetValueOrDefault(group).Index == last)
        {
            shown[group] = (index, session.Epoch);
        }

        return true;
    }

    private async Task SaveLockedAsync(GroupId group, CancellationToken cancellationToken)
    {
        if (progress is not null && sessions.TryGetValue(group, out var session))
        {
            var (index, epoch) = shown.TryGetValue(group, out var at) ? at : (0UL, session.Epoch);
            await progress.SetAsync(group, new RoomProgress.Entry(session.Epoch, session.NextGeneration, index, epoch), cancellationToken).ConfigureAwait(false);
        }
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

    private GroupSession Session(GroupId group) =>
        sessions.TryGetValue(group, out var session) ? session : throw new EdgeException(ApiStatus.BadRequest, $"this node is not in {Describe(group)}");

    private static string Describe(GroupId group) => $"{(group.Kind == GroupKind.Topic ? "topic" : "room")} '{group.Name}'";
}
