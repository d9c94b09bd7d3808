using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Grains.GroupLog;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;

namespace Ockam.Grains.Groups;

/// <inheritdoc cref="IDeliveryServiceGrain"/>
/// <remarks>
/// What it checks and what it cannot is <see cref="PublicGroupState"/>'s; on top: the MLS group id is the UTF-8 of the
/// grain's key (so a room's commits never fit a topic), the caller is the sender of its commit, the first valid
/// commit of an epoch wins, new leaves are signed by the GroupSigning key their identity attested (fetched from the
/// identity grains), and only admins of the roles extension change membership (<see cref="RoleMembershipPolicy"/>).
/// The tree is a grain state and the log is rows of the <see cref="IGroupLogStore"/>: a message is one row written,
/// never a rewrite of the tree or of the messages before it. The grain keeps the log's cursors and counters in memory,
/// read from the rows when it activates. A sender is answered once its entry is durable; the fan-out to members'
/// relays runs after the answer.
/// </remarks>
internal sealed class DeliveryServiceGrain(
    [PersistentState("ds-group", Storage.ProviderName)] IPersistentState<DeliveryGroupState> group,
    [PersistentState("ds-log", Storage.ProviderName)] IPersistentState<DeliveryLogState> log,
    [PersistentState("ds-routes", Storage.ProviderName)] IPersistentState<DeliveryRoutes> routes,
    IGroupLogStore store,
    IVault vault,
    TimeProvider time,
    IOptions<DeliveryServiceOptions> options) : Grain, IDeliveryServiceGrain
{
    private readonly DeliveryServiceOptions limits = options.Value;
    private readonly MlsMemberDirectory directory = new(new KnownIdentities(vault), vault);

    /// <summary>The entries the log keeps, oldest first, by index and size: what its bounds count.</summary>
    private readonly List<KeptEntry> kept = [];

    private long keptBytes;
    private ulong nextIndex = 1;

    /// <summary>
    /// References to the relays members named, by name: resolving one (<c>GetGrain</c>) per member per delivery was the
    /// largest single cost of the silo's fan-out after the calls themselves. Used on the grain's turn only.
    /// </summary>
    private readonly Dictionary<string, IRelayGrain> relayGrains = new(StringComparer.Ordinal);

    /// <summary>
    /// The gateway each relay is connected through, as the gateways said (<see cref="RouteThroughAsync"/>): in memory
    /// only, a hint. A gateway that no longer holds a relay passes the entry to its grain. Used on the grain's turn only.
    /// </summary>
    private readonly Dictionary<string, IGroupGateway> gateways = new(StringComparer.Ordinal);

    /// <summary>Gateways a fan-out (off the turn) could not reach: their hints are dropped on the next turn that fans out.</summary>
    private readonly ConcurrentQueue<IGroupGateway> unreachable = new();

    /// <summary>The fan-out last queued: the next one runs after it.</summary>
    private Task fanOut = Task.CompletedTask;
    private PublicGroupState? loaded;
    private HashSet<string>? members;

    private GroupId Id => GroupId.Parse(this.GetPrimaryKeyString());

    private bool Exists => group.State.Context.Length > 0;

    private PublicGroupState State => loaded ??= PublicGroupState.Restore(
        MlsReader.DecodeExact(group.State.Context, GroupContext.Read), RatchetTree.Decode(group.State.Tree), group.State.InterimTranscriptHash);

    private HashSet<string> Members => members ??= [.. State.Members.Select(m => m.Identifier?.ToString()).OfType<string>()];

    /// <summary>A page never holds more entries than fit its bytes, each costing at least its overhead.</summary>
    private int PageCount => Math.Max(1, limits.PageBytes / GroupLogPage.EntryOverhead);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        kept.AddRange(await store.ListAsync(Id.Value, cancellationToken));

        // Before rows, the log was this grain state: its entries move into rows once (those not there already, should
        // the state's write have been lost after they were), and the state keeps only its next index.
        if (log.State.Entries.Count > 0)
        {
            var stored = kept.Count > 0 ? kept[^1].Index : 0;
            var moving = log.State.Entries.Where(e => e.Index > stored).Select(e => new GroupLogEntry(e.Index, e.Epoch, e.Kind, e.Bytes, e.Removed)).ToList();
            if (moving.Count > 0)
            {
                await store.AppendAsync(Id.Value, moving, kept.Count > 0 ? kept[0].Index : moving[0].Index, cancellationToken);
                kept.AddRange(moving.Select(e => new KeptEntry(e.Index, e.Bytes.Length)));
            }

            log.State = log.State with { Entries = [] };
            await log.WriteStateAsync(cancellationToken);
        }

        keptBytes = kept.Sum(e => (long)e.Bytes);
        nextIndex = Math.Max(log.State.NextIndex, kept.Count > 0 ? kept[^1].Index + 1 : 1);
        await base.OnActivateAsync(cancellationToken);
    }

    public async Task<DeliveryOutcome> CreateAsync(string creator, byte[] groupInfo, byte[] ratchetTree, string? relay, string? subscribePolicy, string? publishPolicy)
    {
        if (Exists)
        {
            return DeliveryOutcome.Exists;
        }

        Identity.Mls.GroupInfo info;
        RatchetTree tree;
        try
        {
            info = MlsMessage.Decode(groupInfo).GroupInfo ?? throw new OckamDecodeException("not a GroupInfo");
            tree = RatchetTree.Decode(ratchetTree);
        }
        catch (OckamDecodeException)
        {
            return DeliveryOutcome.Invalid;
        }

        if (!info.GroupContext.GroupId.SequenceEqual(Encoding.UTF8.GetBytes(Id.Value))
            || tree.Nodes is not [{ Leaf: { } only }] || OckamCredentialAuthentication.IdentifierOf(only)?.ToString() != creator)
        {
            return DeliveryOutcome.Invalid;
        }

        if (!IsAdmin(info.GroupContext.Extensions, creator))
        {
            return DeliveryOutcome.NotAdmin;
        }

        if (!await GroupFanOut.OwnsAsync(GrainFactory, creator, relay))
        {
            return DeliveryOutcome.RelayNotOwned;
        }

        await LearnAsync([only]);
        PublicGroupState state;
        try
        {
            state = PublicGroupState.Create(Services(), info, tree);
        }
        catch (Exception e) when (e is MlsGroupException or MlsCryptoException)
        {
            return Outcome(e);
        }

        group.State = new DeliveryGroupState { SubscribePolicy = subscribePolicy, PublishPolicy = publishPolicy };
        await SaveAsync(state, state.Tree.ToRatchetTree().Encode(), group.State);
        if (relay is not null)
        {
            routes.State.Relays[creator] = relay;
            gateways.Remove(relay);
            await routes.WriteStateAsync();
        }

        return DeliveryOutcome.Ok;
    }

    public async Task<CommitResult> CommitAsync(string caller, byte[] commit, byte[]? welcome)
    {
        if (!Exists)
        {
            return new CommitResult(DeliveryOutcome.Unknown);
        }

        if (!Members.Contains(caller))
        {
            return new CommitResult(DeliveryOutcome.NotAMember);
        }

        MlsMessage message;
        Welcome? parsedWelcome;
        try
        {
            message = MlsMessage.Decode(commit);
            parsedWelcome = welcome is null ? null : MlsMessage.Decode(welcome).Welcome ?? throw new OckamDecodeException("not a Welcome");
        }
        catch (OckamDecodeException)
        {
            return new CommitResult(DeliveryOutcome.Invalid);
        }

        if (message.PublicMessage is not { Content: { ContentType: ContentType.Commit } content }
            || !content.GroupId.Span.SequenceEqual(State.Context.GroupId))
        {
            return new CommitResult(DeliveryOutcome.Invalid);
        }

        // First valid commit wins: one for an epoch already left lost the race, and learns the winner.
        if (content.Epoch != State.Epoch)
        {
            return new CommitResult(DeliveryOutcome.Conflict, 0, content.Epoch < State.Epoch ? (await CommitOfAsync(content.Epoch))?.Bytes : null);
        }

        // The log decides an epoch, being written first: a commit logged for the current epoch whose group write was
        // lost is the only one this epoch takes (its committer's retry applies it again, logged once).
        var logged = await CommitOfAsync(content.Epoch);
        if (logged is not null && !logged.Bytes.AsSpan().SequenceEqual(commit))
        {
            return new CommitResult(DeliveryOutcome.Conflict, 0, logged.Bytes);
        }

        var sender = content.Sender.Index < State.Tree.LeafCount ? State.Tree.Leaf(new LeafIndex(content.Sender.Index)) : null;
        if (content.Sender.SenderType != SenderType.Member || sender is null || OckamCredentialAuthentication.IdentifierOf(sender)?.ToString() != caller)
        {
            return new CommitResult(DeliveryOutcome.NotSender);
        }

        var body = content.Commit!;
        var adds = body.Proposals.Select(p => p.Proposal?.Body).OfType<AddProposal>().Select(a => a.KeyPackage).ToList();
        if (Members.Count + adds.Count > limits.MaxMembers || !WelcomeFits(parsedWelcome, adds))
        {
            return new CommitResult(DeliveryOutcome.Invalid);
        }

        await LearnAsync([
            .. adds.Select(k => k.LeafNode),
            .. body.Proposals.Select(p => p.Proposal?.Body).OfType<UpdateProposal>().Select(u => u.LeafNode),
            .. body.Path is { } path ? [path.LeafNode] : Array.Empty<LeafNode>()]);

        // The tree of an epoch that Welcomes admit to is kept before the group leaves it.
        var before = group.State;
        var treeBefore = before.Tree;
        AppliedCommit applied;
        try
        {
            applied = State.Apply(Services(), message);
        }
        catch (Exception e) when (e is MlsGroupException or MlsCryptoException)
        {
            return new CommitResult(Outcome(e));
        }

        var removed = applied.Removed.Select(r => r.Identifier?.ToString()).OfType<string>().ToList();
        var added = applied.Added.Select(a => a.Identifier?.ToString()).OfType<string>().ToList();
        var index = logged?.Index ?? nextIndex;
        var welcomes = before.Welcomes;
        var trees = before.Trees;
        if (welcomes.Any(w => w.Epoch == content.Epoch))
        {
            trees = [.. trees, new KeptTree(content.Epoch, treeBefore)];
        }

        if (parsedWelcome is not null)
        {
            welcomes = [.. welcomes, new KeptWelcome(State.Epoch, index, welcome!, added)];
        }

        var treeAfter = State.Tree.ToRatchetTree().Encode();
        var keptEpochs = KeptEpochs(welcomes, trees, treeAfter.Length);
        if (logged is null)
        {
            await AppendAsync(new GroupLogEntry(index, content.Epoch, LogEntryKind.Commit, commit, removed));
        }

        await SaveAsync(State, treeAfter, before with
        {
            Welcomes = [.. welcomes.Where(w => keptEpochs.Contains(w.Epoch))],
            Trees = [.. trees.Where(t => keptEpochs.Contains(t.Epoch))],
        });

        // The removed learn of the commit that removed them (and nothing after): through the relay they named until now.
        List<string?> removedRelays = [.. removed.Select(r => routes.State.Relays.GetValueOrDefault(r))];
        foreach (var gone in removed)
        {
            routes.State.Relays.Remove(gone);
        }

        foreach (var joiner in routes.State.Pending.Where(p => added.Contains(p.Identifier) && p.Relay is not null))
        {
            routes.State.Relays[joiner.Identifier] = joiner.Relay!;
        }

        routes.State.Pending.RemoveAll(p => added.Contains(p.Identifier));
        if (removed.Count + added.Count > 0)
        {
            await routes.WriteStateAsync();
        }

        // Everyone, the removed included, learns of the new epoch; the joiners that their Welcome waits.
        var delivery = new GroupDelivery(Id, GroupDeliveryKind.Commit, index, commit);
        FanOut(Members.Except(added), delivery);
        FanOutAfterAnswer(removedRelays, delivery);
        FanOut(added, new GroupDelivery(Id, GroupDeliveryKind.Welcome, index, []));
        return new CommitResult(DeliveryOutcome.Ok, index);
    }

    public async Task<SendResult> SendAsync(string caller, byte[] message)
    {
        if (!Exists)
        {
            return new SendResult(DeliveryOutcome.Unknown);
        }

        if (!Members.Contains(caller))
        {
            return new SendResult(DeliveryOutcome.NotAMember);
        }

        PrivateMessage? parsed;
        try
        {
            parsed = MlsMessage.Decode(message).PrivateMessage;
        }
        catch (OckamDecodeException)
        {
            return new SendResult(DeliveryOutcome.Invalid);
        }

        // Handshake messages go as PublicMessages (commits through CommitAsync), so only application data is private.
        if (parsed is null || parsed.ContentType != ContentType.Application || !parsed.GroupId.Span.SequenceEqual(State.Context.GroupId))
        {
            return new SendResult(DeliveryOutcome.Invalid);
        }

        if (parsed.Epoch != State.Epoch)
        {
            return new SendResult(DeliveryOutcome.Conflict);
        }

        var index = nextIndex;
        await AppendAsync(new GroupLogEntry(index, parsed.Epoch, LogEntryKind.Message, message, []));
        FanOut(Members.Where(m => m != caller), new GroupDelivery(Id, GroupDeliveryKind.Message, index, message));
        return new SendResult(DeliveryOutcome.Ok, index);
    }

    /// <summary>
    /// <paramref name="member"/> names where its deliveries go from now on: a relay it owns. Only the member itself
    /// (the gateway passes the caller) sets its route, so no one can point a member's deliveries elsewhere.
    /// </summary>
    public async Task<DeliveryOutcome> ListenAsync(string member, string relay)
    {
        if (!Exists)
        {
            return DeliveryOutcome.Unknown;
        }

        if (!Members.Contains(member))
        {
            return DeliveryOutcome.NotAMember;
        }

        if (!await GroupFanOut.OwnsAsync(GrainFactory, member, relay))
        {
            return DeliveryOutcome.RelayNotOwned;
        }

        // Where the relay is connected now is for its gateway to say again (RouteThroughAsync), if it holds it.
        gateways.Remove(relay);
        if (!routes.State.Relays.TryGetValue(member, out var current) || current != relay)
        {
            routes.State.Relays[member] = relay;
            await routes.WriteStateAsync();
        }

        return DeliveryOutcome.Ok;
    }

    public Task RouteThroughAsync(string relay, IGroupGateway gateway)
    {
        // Only a route's relay: what the gateways say cannot grow this grain beyond its routes.
        if (routes.State.Relays.ContainsValue(relay) || routes.State.Pending.Any(p => p.Relay == relay))
        {
            gateways[relay] = gateway;
        }

        return Task.CompletedTask;
    }

    public async Task<DeliveryOutcome> RequestJoinAsync(string identifier, string? relay)
    {
        if (!Exists)
        {
            return DeliveryOutcome.Unknown;
        }

        if (Members.Contains(identifier) || routes.State.Pending.Any(p => p.Identifier == identifier))
        {
            return DeliveryOutcome.Exists;
        }

        if (routes.State.Pending.Count >= limits.MaxMembers)
        {
            return DeliveryOutcome.Full;
        }

        if (!await GroupFanOut.OwnsAsync(GrainFactory, identifier, relay))
        {
            return DeliveryOutcome.RelayNotOwned;
        }

        routes.State.Pending.Add(new PendingJoin(identifier, relay));
        if (relay is not null)
        {
            gateways.Remove(relay);
        }

        await routes.WriteStateAsync();
        return DeliveryOutcome.Ok;
    }

    /// <summary>
    /// One page of entries after <paramref name="afterIndex"/>, oldest first, up to <see cref="DeliveryServiceOptions.PageBytes"/>
    /// (a page holds at least one entry, so paging always moves on). A member removed may read only the commit that
    /// removed it: it learns it is out, and nothing said after.
    /// </summary>
    public async Task<LogPage> ReadAsync(string member, ulong afterIndex)
    {
        if (Exists && Members.Contains(member))
        {
            var page = await store.ReadAsync(Id.Value, afterIndex, PageCount, limits.PageBytes, CancellationToken.None);
            return new LogPage(DeliveryOutcome.Ok, [.. page.Entries], page.More);
        }

        if (await store.FindRemovalAsync(Id.Value, member, CancellationToken.None) is { } removal)
        {
            return new LogPage(DeliveryOutcome.Ok, removal.Index > afterIndex ? [removal] : []);
        }

        return new LogPage(DeliveryOutcome.NotAMember, []);
    }

    public Task<WelcomeResult?> GetWelcomeAsync(string joiner)
    {
        var kept = group.State.Welcomes.LastOrDefault(w => w.Joiners.Contains(joiner));
        return Task.FromResult(kept is null ? null : new WelcomeResult(kept.Welcome, kept.Epoch, kept.CommitIndex, TreeOf(kept.Epoch)!.Length));
    }

    public Task<TreeChunk> GetTreeAsync(string caller, ulong epoch, int offset)
    {
        var allowed = Exists && ((epoch == State.Epoch && Members.Contains(caller)) || group.State.Welcomes.Any(w => w.Epoch == epoch && w.Joiners.Contains(caller)));
        if (!allowed || TreeOf(epoch) is not { } tree)
        {
            return Task.FromResult(new TreeChunk(DeliveryOutcome.NotAMember, []));
        }

        if (offset < 0 || offset > tree.Length)
        {
            return Task.FromResult(new TreeChunk(DeliveryOutcome.Invalid, [], tree.Length));
        }

        return Task.FromResult(new TreeChunk(DeliveryOutcome.Ok, tree.AsSpan(offset, Math.Min(limits.PageBytes, tree.Length - offset)).ToArray(), tree.Length));
    }

    public Task<DeliveryInfo> GetInfoAsync()
    {
        if (!Exists)
        {
            return Task.FromResult(new DeliveryInfo(false, 0, [], [], [], null, null, 0));
        }

        var admins = Roles(State.Context.Extensions)?.Admins.Select(a => a.ToString()).ToArray() ?? [];
        return Task.FromResult(new DeliveryInfo(
            true,
            State.Epoch,
            [.. Members],
            admins,
            [.. routes.State.Pending.Select(p => p.Identifier)],
            group.State.SubscribePolicy,
            group.State.PublishPolicy,
            nextIndex - 1));
    }

    private static GroupRoles? Roles(IReadOnlyList<Extension> extensions)
    {
        try
        {
            return GroupRoles.Of(extensions);
        }
        catch (OckamDecodeException)
        {
            return null;
        }
    }

    private static bool IsAdmin(IReadOnlyList<Extension> extensions, string identifier) =>
        Identifier.TryParse(identifier, out var parsed) && Roles(extensions)?.IsAdmin(parsed) == true;

    private static DeliveryOutcome Outcome(Exception refusal) => refusal is MlsGroupException { Error: var error }
        ? error switch
        {
            MlsGroupError.Unauthorized => DeliveryOutcome.NotAdmin,
            MlsGroupError.Unauthenticated => DeliveryOutcome.Unauthenticated,
            _ => DeliveryOutcome.Invalid,
        }
        : DeliveryOutcome.Invalid;

    /// <summary>
    /// A Welcome must be given exactly when the commit adds, and seal the group's secrets to exactly the added key
    /// packages (each EncryptedGroupSecrets names its joiner by KeyPackageRef): a Welcome kept for a joiner is one
    /// meant for it.
    /// </summary>
    private bool WelcomeFits(Welcome? welcome, List<KeyPackage> adds)
    {
        if (welcome is null || adds.Count == 0)
        {
            return welcome is null && adds.Count == 0;
        }

        var suite = CipherSuite.FromId(State.Context.CipherSuite);
        var named = welcome.Secrets.Select(s => Convert.ToHexString(s.NewMember.Span)).ToHashSet();
        return welcome.CipherSuite == suite.Id && named.Count == welcome.Secrets.Count
            && named.SetEquals(adds.Select(k => Convert.ToHexString(k.ComputeRef(suite))));
    }

    /// <summary>The encoded tree of <paramref name="epoch"/>: the current one, or one kept for a Welcome.</summary>
    private byte[]? TreeOf(ulong epoch) =>
        Exists && epoch == State.Epoch ? group.State.Tree : group.State.Trees.FirstOrDefault(t => t.Epoch == epoch)?.Tree;

    private MlsGroupServices Services() =>
        new(vault, new OckamCredentialAuthentication(directory, time), RoleMembershipPolicy.Instance, time);

    /// <summary>
    /// Fetches from the identity grains the history and GroupSigning attestation of each identity <paramref name="leaves"/>
    /// name, anew for every commit even when the directory has them (its <c>Missing</c> would skip those), so that a
    /// revocation or rotation published since is seen before a new leaf of that identity enters. One that is
    /// unpublished or invalid stays unknown (or refused, its newer history learnt), and its leaf is refused.
    /// </summary>
    private async Task LearnAsync(IEnumerable<LeafNode> leaves)
    {
        var named = leaves.Select(OckamCredentialAuthentication.IdentifierOf).OfType<Identifier>().Distinct().ToList();
        var fetched = await Task.WhenAll(named.Select(i => GrainFactory.GetGrain<IIdentityGrain>(i.ToString()).GetGroupKeysAsync()));
        foreach (var (history, _, signing) in fetched)
        {
            // One unpublished or invalid is left unknown, or known by its newer history only: its leaves are refused.
            if (history is not null && signing is not null)
            {
                directory.TryAdd(history, signing, time.GetUtcNow());
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="state"/> with <paramref name="rest"/>. The in-memory state has already moved: if the
    /// write fails, the activation is dropped so that the next call starts from what was stored.
    /// </summary>
    private async Task SaveAsync(PublicGroupState state, byte[] tree, DeliveryGroupState rest)
    {
        group.State = rest with
        {
            Context = state.Context.Encode(),
            Tree = tree,
            InterimTranscriptHash = state.InterimTranscriptHash,
        };
        loaded = state;
        members = null;
        try
        {
            await group.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>
    /// Appends one entry as one row, deleting in the same transaction the oldest that no longer fit both bounds, count
    /// and bytes (the newest always stays); completes once the row is durable.
    /// </summary>
    private async Task AppendAsync(GroupLogEntry entry)
    {
        var count = kept.Count + 1;
        var bytes = keptBytes + entry.Bytes.Length;
        var drop = 0;
        while (count - drop > 1 && (count - drop > limits.Retention || bytes > limits.RetentionBytes))
        {
            bytes -= kept[drop].Bytes;
            drop++;
        }

        try
        {
            await store.AppendAsync(Id.Value, [entry], drop < kept.Count ? kept[drop].Index : entry.Index, CancellationToken.None);
        }
        catch
        {
            // The row may be durable all the same, and for a commit the in-memory group state moved: start again from what was stored.
            DeactivateOnIdle();
            throw;
        }

        kept.RemoveRange(0, drop);
        kept.Add(new KeptEntry(entry.Index, entry.Bytes.Length));
        keptBytes = bytes;
        nextIndex = entry.Index + 1;
    }

    /// <summary>
    /// The newest epochs whose Welcomes and trees fit <see cref="DeliveryServiceOptions.KeptWelcomeBytes"/>, the newest
    /// always; the current epoch's tree is <paramref name="currentTreeBytes"/> long.
    /// </summary>
    private HashSet<ulong> KeptEpochs(List<KeptWelcome> welcomes, List<KeptTree> trees, int currentTreeBytes)
    {
        var kept = new HashSet<ulong>();
        var used = 0L;
        foreach (var epoch in welcomes.Select(w => w.Epoch).Distinct().Reverse())
        {
            used += welcomes.Where(w => w.Epoch == epoch).Sum(w => (long)w.Welcome.Length)
                + (trees.FirstOrDefault(t => t.Epoch == epoch)?.Tree.Length ?? currentTreeBytes);
            if (kept.Count > 0 && used > limits.KeptWelcomeBytes)
            {
                break;
            }

            kept.Add(epoch);
        }

        return kept;
    }

    /// <summary>The commit the log holds for <paramref name="epoch"/> (the one that won it), while retained.</summary>
    private Task<LogEntry?> CommitOfAsync(ulong epoch) => store.FindCommitAsync(Id.Value, epoch, CancellationToken.None);

    private void FanOut(IEnumerable<string> identifiers, GroupDelivery delivery) =>
        FanOutAfterAnswer([.. identifiers.Select(i => routes.State.Relays.GetValueOrDefault(i))], delivery);

    /// <summary>
    /// Where the relays named go (nulls skipped, each once), resolved on this turn: to the gateway each is connected
    /// through, all of a gateway's in one call, and the others to their grains.
    /// </summary>
    private FanOutTargets Targets(List<string?> relays)
    {
        while (unreachable.TryDequeue(out var gone))
        {
            foreach (var relay in gateways.Where(g => g.Value.Equals(gone)).Select(g => g.Key).ToList())
            {
                gateways.Remove(relay);
            }
        }

        // Names no member uses any more are dropped now and then, so the caches stay the size of the routes.
        var bound = (2 * routes.State.Relays.Count) + routes.State.Pending.Count + 16;
        if (relayGrains.Count > bound)
        {
            relayGrains.Clear();
        }

        if (gateways.Count > bound)
        {
            var named = routes.State.Relays.Values.Concat(routes.State.Pending.Select(p => p.Relay).OfType<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var stale in gateways.Keys.Where(r => !named.Contains(r)).ToList())
            {
                gateways.Remove(stale);
            }
        }

        var grains = new List<IRelayGrain>();
        var throughGateways = new Dictionary<IGroupGateway, List<string>>();
        foreach (var relay in relays.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (gateways.TryGetValue(relay, out var gateway))
            {
                if (!throughGateways.TryGetValue(gateway, out var held))
                {
                    throughGateways[gateway] = held = [];
                }

                held.Add(relay);
                continue;
            }

            if (!relayGrains.TryGetValue(relay, out var grain))
            {
                relayGrains[relay] = grain = GrainFactory.GetGrain<IRelayGrain>(relay);
            }

            grains.Add(grain);
        }

        return new FanOutTargets([.. throughGateways.Select(g => (g.Key, g.Value.ToArray()))], grains);
    }

    /// <summary>
    /// Pushes <paramref name="delivery"/> to <paramref name="relays"/> (taken now, as the routes are when the entry was
    /// logged) off this activation, after the previous fan-out: the caller is answered once its entry is durable, not
    /// once a thousand relays were called, the activation takes its next request meanwhile, and deliveries still leave
    /// in the log's order.
    /// </summary>
    private void FanOutAfterAnswer(List<string?> relays, GroupDelivery delivery)
    {
        var targets = Targets(relays);
        var grains = GrainFactory;
        fanOut = fanOut.ContinueWith(_ => GroupFanOut.Notify(targets, delivery, grains, unreachable.Enqueue), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
