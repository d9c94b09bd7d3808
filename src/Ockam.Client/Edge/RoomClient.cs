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
/// This node's encrypted rooms: it makes and applies epochs (sealing each fresh secret to the members'
/// attested keys), encrypts and signs its messages, and decrypts what the room grain fans out to its
/// <c>group-inbox</c>. The silo orders and stores; it holds no room key.
/// </summary>
public sealed class RoomClient : IWorker, IDisposable
{
    private readonly IVault vault;
    private readonly IEdgeApi api;
    private readonly GroupMember self;
    private readonly KeyHandle agreementKey;
    private readonly KeyHandle signingKey;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, GroupSession> sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> lastIndex = new(StringComparer.Ordinal);
    private readonly Channel<RoomMessage> received = Channel.CreateUnbounded<RoomMessage>();
    private readonly RoomProgress? progress;

    internal RoomClient(IVault vault, IEdgeApi api, GroupMember self, KeyHandle agreementKey, KeyHandle signingKey, RoomProgress? progress = null)
    {
        this.progress = progress;
        this.vault = vault;
        this.api = api;
        this.self = self;
        this.agreementKey = agreementKey;
        this.signingKey = signingKey;
    }

    /// <summary>Creates <paramref name="room"/> with this node as its only member and admin; fan-out reaches it through <paramref name="relay"/>.</summary>
    public Task CreateAsync(string room, string? relay, CancellationToken cancellationToken = default) =>
        CreateAsync(room, commit => new CreateRoomRequest(room, commit, relay), cancellationToken);

    /// <summary>Adds <paramref name="member"/> (its group keys verified against its history) in a new epoch.</summary>
    public async Task InviteAsync(string room, Identifier member, string? relay, CancellationToken cancellationToken = default)
    {
        var joining = await FetchMemberAsync(member, cancellationToken).ConfigureAwait(false);
        await CommitAsync(room, members => [.. members.Where(m => m.Identifier != member), joining], relay is null ? [] : [(member, relay)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The group id of topic <paramref name="name"/>: pass it to the room methods (send, receive, catch up) for a topic.</summary>
    public static string Topic(string name) => GroupDelivery.TopicGroupId(name);

    /// <summary>Creates a topic: a room whose subscribers and publishers are decided by ABAC policies over their credentials.</summary>
    public Task CreateTopicAsync(string topic, string? relay, string subscribePolicy, string publishPolicy, CancellationToken cancellationToken = default) =>
        CreateAsync(Topic(topic), commit => new CreateTopicRequest(topic, commit, subscribePolicy, publishPolicy, relay), cancellationToken);

    /// <summary>Asks to join a topic (the silo checks the subscribe policy); an admin's next commit brings this node in.</summary>
    public Task SubscribeAsync(string topic, string? relay, CancellationToken cancellationToken = default) =>
        api.CallAsync(new SubscribeTopicRequest(topic, relay), cancellationToken);

    /// <summary>As an admin: adds every subscriber the policy admitted, in one new epoch. Returns how many.</summary>
    public async Task<int> AdmitPendingAsync(string topic, CancellationToken cancellationToken = default)
    {
        var info = await api.CallAsync(new GetRoomRequest(null, topic), cancellationToken).ConfigureAwait(false);
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

        await CommitAsync(Topic(topic), members => [.. members.Where(m => joining.All(j => j.Identifier != m.Identifier)), .. joining], [], cancellationToken).ConfigureAwait(false);
        return joining.Count;
    }

    /// <summary>Removes <paramref name="member"/>: the new epoch's secret is sealed to everyone else only.</summary>
    public Task RemoveAsync(string room, Identifier member, CancellationToken cancellationToken = default) =>
        CommitAsync(room, members => [.. members.Where(m => m.Identifier != member)], [], cancellationToken);

    /// <summary>A fresh epoch secret for the same members (after a suspected leak, or periodically).</summary>
    public Task UpdateAsync(string room, CancellationToken cancellationToken = default) =>
        CommitAsync(room, members => [.. members], [], cancellationToken);

    public async Task SendAsync(string room, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        GroupMessage message;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            message = Session(room).Encrypt(payload.Span);
            Save(room);
        }
        finally
        {
            gate.Release();
        }

        var (name, topic) = Address(room);
        await api.CallAsync(new SendRoomRequest(name, topic, message.Encode()), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<RoomMessage> ReceiveAsync(CancellationToken cancellationToken = default) => received.Reader.ReadAsync(cancellationToken);

    public IReadOnlyList<GroupMember> Members(string room) => Session(room).Members;

    public ulong Epoch(string room) => Session(room).Epoch;

    /// <summary>
    /// Picks up a room this node was in before it restarted: the epoch secret comes back from the log (its
    /// commit seals it to this node's persistent key), the sending ratchet resumes past every generation
    /// already used, and messages already seen are not delivered again.
    /// </summary>
    public async Task ResumeAsync(string room, CancellationToken cancellationToken = default)
    {
        if (progress?.Get(room) is not { } saved)
        {
            throw new EdgeException(ApiStatus.BadRequest, $"this node has not been in room '{room}'");
        }

        lastIndex[room] = saved.LastIndex;
        await CatchUpFromAsync(room, saved.Epoch - 1, cancellationToken).ConfigureAwait(false);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (sessions.TryGetValue(room, out var session) && session.Epoch == saved.Epoch)
            {
                session.ResumeSendingAt(saved.NextGeneration);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Rooms this node has been in (from its home directory).</summary>
    public IReadOnlyList<string> KnownRooms => progress?.Rooms ?? [];

    /// <summary>Fetches what this node missed (commits and messages it was away for) and applies them in order.</summary>
    public Task CatchUpAsync(string room, CancellationToken cancellationToken = default) =>
        CatchUpFromAsync(room, sessions.TryGetValue(room, out var known) ? known.Epoch : 0, cancellationToken);

    /// <summary>
    /// Asks page by page (the silo answers at most one frame's worth at a time) until nothing is left, and only
    /// then applies: a message is readable only in its own epoch, so commits are applied as the messages need them.
    /// </summary>
    private async Task CatchUpFromAsync(string room, ulong epoch, CancellationToken cancellationToken)
    {
        var allCommits = new List<GroupCommit>();
        var allMessages = new List<(ulong Index, GroupMessage Message)>();
        var index = lastIndex.GetValueOrDefault(room);
        for (var more = true; more;)
        {
            var (name, topic) = Address(room);
            var response = await api.CallAsync(new CatchUpRoomRequest(name, topic, epoch, index), cancellationToken).ConfigureAwait(false);
            var commits = response.Commits.Select(c => GroupCommit.Decode(c)).ToList();
            var messages = response.Messages.Select(m => (m.Index, Message: GroupMessage.Decode(m.Message))).ToList();
            allCommits.AddRange(commits);
            allMessages.AddRange(messages);
            var (nextEpoch, nextIndex) = (commits.Count > 0 ? commits.Max(c => c.Body.Epoch) : epoch, messages.Count > 0 ? messages.Max(m => m.Index) : index);
            more = response.More;
            if (more && nextEpoch <= epoch && nextIndex <= index)
            {
                throw new EdgeException(ApiStatus.Unavailable, $"catching up room '{room}' made no progress");
            }

            (epoch, index) = (nextEpoch, nextIndex);
        }

        var pending = new Queue<GroupCommit>(allCommits.OrderBy(c => c.Body.Epoch));
        var ordered = allMessages.OrderBy(m => m.Index);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (at, message) in ordered)
            {
                // A message is readable only in its own epoch: apply the commits that lead up to it first.
                while (pending.Count > 0 && (!sessions.TryGetValue(room, out var s) || s.Epoch < message.Epoch))
                {
                    ApplyLocked(pending.Dequeue());
                }

                DeliverLocked(room, at, message);
            }

            while (pending.Count > 0)
            {
                ApplyLocked(pending.Dequeue());
            }

            Save(room);
        }
        finally
        {
            gate.Release();
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

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (delivery.Kind == GroupDeliveryKind.Commit)
            {
                ApplyLocked(GroupCommit.Decode(delivery.Content));
            }
            else
            {
                DeliverLocked(delivery.Room, delivery.Index, GroupMessage.Decode(delivery.Content));
            }
        }
        catch (Exception e) when (e is OckamDecodeException or GroupException)
        {
            // Duplicates (relays deliver at least once), stale or foreign content: the session refused it.
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }

        gate.Dispose();
    }

    /// <summary>Test hook: a room's session (its epoch secret is what the service must never see).</summary>
    internal GroupSession SessionFor(string room) => Session(room);

    /// <summary>Creates group <paramref name="room"/> with this node alone, by the request <paramref name="create"/> makes of its first commit.</summary>
    private async Task CreateAsync<TRequest>(string room, Func<byte[], TRequest> create, CancellationToken cancellationToken)
        where TRequest : IApiRequest<TRequest, EmptyResponse>
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (session, commit) = GroupSession.Create(vault, room, self, agreementKey, signingKey);
            await api.CallAsync(create(commit.Encode()), cancellationToken).ConfigureAwait(false);
            sessions[room] = session;
            Save(room);
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

    private async Task CommitAsync(string room, Func<IReadOnlyList<GroupMember>, List<GroupMember>> members, List<(Identifier Member, string Relay)> relays, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = Session(room);
            var commit = session.Commit(members(session.Members));
            var (name, topic) = Address(room);
            var fanOut = relays.ToDictionary(r => r.Member.ToString(), r => r.Relay, StringComparer.Ordinal);
            await api.CallAsync(new CommitRoomRequest(name, topic, commit.Encode(), fanOut), cancellationToken).ConfigureAwait(false);
            Save(room);
        }
        finally
        {
            gate.Release();
        }
    }

    private void ApplyLocked(GroupCommit commit)
    {
        var room = commit.Body.Group;
        if (sessions.TryGetValue(room, out var session))
        {
            if (commit.Body.Epoch > session.Epoch)
            {
                session.Apply(commit);
            }
        }
        else if (commit.Body.Members.Any(m => m.Identifier == self.Identifier))
        {
            sessions[room] = GroupSession.Join(vault, commit, self, agreementKey, signingKey);
        }

        Save(room);
    }

    private void DeliverLocked(string room, ulong index, GroupMessage message)
    {
        if (!sessions.TryGetValue(room, out var session) || message.Sender == self.Identifier || index <= lastIndex.GetValueOrDefault(room))
        {
            return;
        }

        try
        {
            var plaintext = session.Decrypt(message);
            received.Writer.TryWrite(new RoomMessage(room, message.Sender, plaintext));
        }
        catch (GroupException)
        {
            // Sent in an epoch this member was not in, or a duplicate: nothing it may read.
        }
        finally
        {
            lastIndex[room] = Math.Max(lastIndex.GetValueOrDefault(room), index);
            Save(room);
        }
    }

    private void Save(string room)
    {
        if (progress is not null && sessions.TryGetValue(room, out var session))
        {
            progress.Set(room, new RoomProgress.Entry(session.Epoch, session.NextGeneration, lastIndex.GetValueOrDefault(room)));
        }
    }

    private GroupSession Session(string room) =>
        sessions.TryGetValue(room, out var session) ? session : throw new EdgeException(ApiStatus.BadRequest, $"this node is not in room '{room}'");

    /// <summary>A group id as a request addresses it: a <c>topic</c> for "topic:" ids, else a <c>room</c>.</summary>
    private static (string? Room, string? Topic) Address(string groupId) =>
        GroupDelivery.TopicOf(groupId) is { } topic ? (null, topic) : (groupId, null);
}
