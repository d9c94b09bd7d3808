using System.Reflection;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Nodes;
using Ockam.Messaging.Routing;

namespace Ockam.Client.Tests.Attacks;

/// <summary>
/// Attacks on a room running on MLS: over a real silo (forged deliveries, far generations, withheld removals, racing
/// commits, replays) and over a <see cref="ScriptedDeliveryService"/> standing in for a compromised one (forks,
/// withheld commits). Each test fails if the defence it names is removed from the edge client or the service.
/// </summary>
public sealed class RoomAttackTests : IAsyncLifetime
{
    private static readonly GroupId Ward = GroupId.Room("ward-9");
    private readonly CommitRace race = new();
    /// <summary>The identity store unreachable: every read of an identity's group keys fails.</summary>
    private readonly GrainCallFault outage = new(m => m.Name == nameof(IIdentityGrain.GetGroupKeysAsync), () => throw new InvalidOperationException("the identity store is unreachable"));
    /// <summary>The Delivery Service's live pushes lost on the way, through the members' gateways or their relays.</summary>
    private readonly GrainCallFault lost = new(m => m.DeclaringType == typeof(IGroupGateway) || m.Name == nameof(IRelayGrain.NotifyAsync), () => Task.CompletedTask);
    private Fleet fleet = null!;

    public async Task InitializeAsync() => fleet = await Fleet.StartAsync(s => s
        .AddSingleton<IOutgoingGrainCallFilter>(race)
        .AddSingleton<IOutgoingGrainCallFilter>(outage)
        .AddSingleton<IOutgoingGrainCallFilter>(lost));

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    /// <summary>
    /// Bob hears nothing while Alice removes Carol. His next message, encrypted in the epoch Carol still belongs to, is
    /// refused by the service (Conflict); he reads the log, applies the removal and sends it again in the new epoch, so
    /// what is logged is of the post-removal epoch and Carol cannot read it. Fails if the service accepts a message
    /// of a past epoch or the client does not catch up and re-encrypt.
    /// </summary>
    [Fact]
    public async Task A_withheld_removal_is_applied_before_the_next_send_so_the_removed_member_reads_nothing()
    {
        var alice = await MemberAsync("alice");
        var bob = await MemberAsync("bob");
        var carol = await MemberAsync("carol");
        await bob.CreateRelayAsync("bob-away");
        var (a, b, c) = (await alice.RoomsAsync(), await bob.RoomsAsync(), await carol.RoomsAsync());
        await a.CreateAsync(Ward.Name, "alice");
        await a.InviteAsync(Ward, bob.Identifier);
        await b.ListenAsync(Ward, "bob");
        await a.InviteAsync(Ward, carol.Identifier);
        await c.ListenAsync(Ward, "carol");
        await Eventually.TrueAsync(() => Epoch(b) == 2 && Epoch(c) == 2);

        // Bob's deliveries go where nobody listens: the removal is withheld from him.
        await ((IEdgeApi)bob).CallAsync(new ListenRoomRequest(Ward, "bob-away"), CancellationToken.None);
        await a.RemoveAsync(Ward, carol.Identifier);
        await Eventually.TrueAsync(() => Epoch(c) == 0);
        Assert.Equal(2UL, Epoch(b));

        await b.SendAsync(Ward, "after the removal"u8.ToArray());

        Assert.Equal(3UL, Epoch(b));
        var log = await fleet.Silo.Grains.GetDeliveryService(Ward).ReadAsync(alice.Identifier.ToString(), 0);
        Assert.Equal([3UL], log.Entries.Where(e => e.Kind == LogEntryKind.Message).Select(e => e.Epoch));
        var shown = await ReceiveAsync(a);
        Assert.Equal(("after the removal", bob.Identifier, 3UL), (Encoding.UTF8.GetString(shown.Payload.Span), shown.Sender, shown.Epoch));

        // Carol is served only the commit that removed her; her client shows nothing.
        var leftToCarol = await ((IEdgeApi)carol).CallAsync(new CatchUpRoomRequest(Ward, 0), CancellationToken.None);
        Assert.Equal([(GroupDeliveryKind.Commit, 2UL)], leftToCarol.Entries.Select(e => (e.Kind, e.Epoch)));
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await c.ReceiveAsync(quiet.Token));
    }

    /// <summary>
    /// Bob commits an update for the epoch he is in, and the gateway holds his commit until Alice's, for that same
    /// epoch, has been accepted: the service refuses Bob's with the winner. Bob discards his pending commit, processes
    /// Alice's and commits again. Both end in one epoch and read each other. Fails if a refused commit is merged (its
    /// member forks itself off) or not retried.
    /// </summary>
    [Fact]
    public async Task A_refused_own_commit_does_not_fork_its_member()
    {
        var alice = await MemberAsync("alice");
        var bob = await MemberAsync("bob");
        var (a, b) = (await alice.RoomsAsync(), await bob.RoomsAsync());
        await a.CreateAsync(Ward.Name, "alice");
        await a.InviteAsync(Ward, bob.Identifier);
        await b.ListenAsync(Ward, "bob");
        await Eventually.TrueAsync(() => Epoch(b) == 1);

        race.Arm(loser: bob.Identifier.ToString(), winner: alice.Identifier.ToString());
        var bobs = b.UpdateAsync(Ward);
        await race.LoserHeld;
        await a.UpdateAsync(Ward);
        await bobs;
        Assert.Equal(2, race.LoserCommits);
        await Eventually.TrueAsync(() => Epoch(a) == 3 && Epoch(b) == 3);

        // Every commit the service logged is one both applied: the epochs' commits form one chain, Alice's first.
        var log = await fleet.Silo.Grains.GetDeliveryService(Ward).ReadAsync(alice.Identifier.ToString(), 0);
        Assert.Equal([0UL, 1UL, 2UL], log.Entries.Where(e => e.Kind == LogEntryKind.Commit).Select(e => e.Epoch));

        await a.SendAsync(Ward, "from alice"u8.ToArray());
        await b.SendAsync(Ward, "from bob"u8.ToArray());
        Assert.Equal("from alice", Encoding.UTF8.GetString((await ReceiveAsync(b)).Payload.Span));
        Assert.Equal("from bob", Encoding.UTF8.GetString((await ReceiveAsync(a)).Payload.Span));
    }

    /// <summary>
    /// Bob is invited while the silo cannot serve identities (a busy or failing identity store): his join fails for
    /// now, and his KeyPackage — which opens that Welcome once — is not spent on the failure, so his next attempt joins.
    /// Fails if the KeyPackage is taken before every member's identity is known.
    /// </summary>
    [Fact]
    public async Task A_join_that_fails_for_now_does_not_cost_the_joiner_its_invitation()
    {
        var alice = await MemberAsync("alice");
        var bob = await MemberAsync("bob");
        var (a, b) = (await alice.RoomsAsync(), await bob.RoomsAsync());
        await a.CreateAsync(Ward.Name, "alice");
        await a.InviteAsync(Ward, bob.Identifier);

        outage.On = true;
        var failed = await Assert.ThrowsAsync<EdgeException>(() => b.EnterAsync(Ward));
        Assert.Equal(ApiStatus.Unavailable, failed.Status);
        outage.On = false;

        await b.EnterAsync(Ward);
        Assert.Equal(1UL, Epoch(b));
        await a.SendAsync(Ward, "welcome, bob"u8.ToArray());
        await b.CatchUpAsync(Ward);
        Assert.Equal("welcome, bob", Encoding.UTF8.GetString((await ReceiveAsync(b)).Payload.Span));
    }

    /// <summary>
    /// Alice adds Carol while the silo cannot serve identities. Bob, catching up, cannot verify Carol's leaf for now: the
    /// commit waits (the catch-up fails with <see cref="ApiStatus.Unavailable"/>) instead of being refused and passed over
    /// for good, so once identities are served again Bob follows it and reads the new epoch. Fails if a commit whose new
    /// members could not be fetched is handled anyway (Bob stays in the old epoch and cannot read what follows).
    /// </summary>
    [Fact]
    public async Task A_commit_whose_new_members_cannot_be_fetched_for_now_waits_and_is_not_lost()
    {
        var alice = await MemberAsync("alice");
        var bob = await MemberAsync("bob");
        var carol = await MemberAsync("carol");
        var (a, b) = (await alice.RoomsAsync(), await bob.RoomsAsync());
        _ = await carol.RoomsAsync();
        await a.CreateAsync(Ward.Name, "alice");
        await a.InviteAsync(Ward, bob.Identifier);
        await b.EnterAsync(Ward);
        Assert.Equal(1UL, Epoch(b));
        await a.InviteAsync(Ward, carol.Identifier);
        await a.SendAsync(Ward, "welcome, carol"u8.ToArray());

        outage.On = true;
        var failed = await Assert.ThrowsAsync<EdgeException>(() => b.CatchUpAsync(Ward));
        Assert.Equal(ApiStatus.Unavailable, failed.Status);
        Assert.Equal(1UL, Epoch(b));
        outage.On = false;

        await b.CatchUpAsync(Ward);
        Assert.Equal(2UL, Epoch(b));
        Assert.Equal("welcome, carol", Encoding.UTF8.GetString((await ReceiveAsync(b)).Payload.Span));
    }

    /// <summary>
    /// Alice's message is logged, but its live push to Bob is lost on the way (pushes are best effort: the log is the
    /// durable copy). Bob's node, listening, reads the log once the room has been quiet for 30 s by its clock, and shows
    /// the message. Fails if a listened room that hears nothing is never read again.
    /// </summary>
    [Fact]
    public async Task A_lost_push_is_read_from_the_log_at_the_next_quiet_check()
    {
        var bobsClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var alice = await MemberAsync("alice");
        var bob = await MemberAsync("bob", bobsClock);
        var (a, b) = (await alice.RoomsAsync(), await bob.RoomsAsync());
        await a.CreateAsync(Ward.Name, "alice");
        await a.InviteAsync(Ward, bob.Identifier);
        await b.ListenAsync(Ward, "bob");

        lost.On = true;
        await a.SendAsync(Ward, "lost on the way"u8.ToArray());
        using (var meanwhile = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await b.ReceiveAsync(meanwhile.Token));
        }

        // The node checks its connection every 10 s; a room quiet for 30 s is read at the check after that.
        var received = ReceiveAsync(b);
        for (var tick = 0; tick < 6 && !received.IsCompleted; tick++)
        {
            bobsClock.Advance(TimeSpan.FromSeconds(10));
            await Task.WhenAny(received, Task.Delay(TimeSpan.FromSeconds(2)));
        }

        Assert.Equal("lost on the way", Encoding.UTF8.GetString((await received).Payload.Span));
    }

    /// <summary>
    /// Bob, a member with an end-to-end channel to Alice's node, hands her group inbox a delivery of his own making —
    /// a real message of the room, at the index the log gave it, while the service's deliveries to Alice go nowhere.
    /// Her node drops it (the group inbox accepts only what the relay inbox says the service made): nothing is shown
    /// until she reads the log herself. Fails if the group inbox accepts what an end-to-end channel delivers.
    /// </summary>
    [Fact]
    public async Task A_delivery_from_outside_the_silos_channel_is_ignored()
    {
        var alice = await MemberAsync("alice");
        var bob = await MemberAsync("bob");
        await alice.CreateRelayAsync("alice-away");
        var (a, b) = (await alice.RoomsAsync(), await bob.RoomsAsync());
        await alice.AcceptAsync(Policy.Parse("(= subject.ockam.role \"nurse\")"));
        await a.CreateAsync(Ward.Name, "alice");
        await a.InviteAsync(Ward, bob.Identifier);
        await b.ListenAsync(Ward, "bob");
        await ((IEdgeApi)alice).CallAsync(new ListenRoomRequest(Ward, "alice-away"), CancellationToken.None);

        await b.SendAsync(Ward, "through the service"u8.ToArray());
        var logged = (await fleet.Silo.Grains.GetDeliveryService(Ward).ReadAsync(alice.Identifier.ToString(), 0)).Entries.Single(e => e.Kind == LogEntryKind.Message);
        var endToEnd = await bob.ConnectAsync("alice", Policy.Parse("(= subject.ockam.role \"nurse\")"));
        var bobsNode = (Ockam.Messaging.Routing.Node)typeof(EdgeNode).GetField("node", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(bob)!;
        var forged = new GroupDelivery(Ward, GroupDeliveryKind.Message, logged.Index, logged.Bytes).Encode();
        await bobsNode.SendAsync(new Message(Route.Of(endToEnd.Address, Address.Local(GroupDelivery.InboxAddress)), Route.Empty, forged));

        // The channel itself works: the same route to Alice's application inbox arrives.
        await bob.SendAsync(endToEnd, "over the channel"u8.ToArray());
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            Assert.Equal("over the channel"u8.ToArray(), (await alice.ReceiveAsync(wait.Token)).Payload.ToArray());
        }

        using (var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(1000)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await a.ReceiveAsync(quiet.Token));
        }

        // Read from the log, the message is shown once, at its index.
        await a.CatchUpAsync(Ward);
        var shown = await ReceiveAsync(a);
        Assert.Equal(("through the service", logged.Index), (Encoding.UTF8.GetString(shown.Payload.Span), shown.Index));
    }

    /// <summary>
    /// Bob reads and acknowledges a message; his node restarts; the service (or Alice) logs the very same bytes again
    /// at a new index. Bob's restored state has used up that generation's key: the replay is surfaced as Unreadable,
    /// not shown twice, and the entries he handled before the restart are not read again. Fails if the state that consumed
    /// the key (and the index handled) is not saved when the message is read or acknowledged.
    /// </summary>
    [Fact]
    public async Task A_message_replayed_after_a_restart_is_not_shown_again()
    {
        var alice = await MemberAsync("alice");
        var bobHome = fleet.Home("bob");
        var bob = await MemberAsync("bob");
        var (a, b) = (await alice.RoomsAsync(), await bob.RoomsAsync());
        await a.CreateAsync(Ward.Name, "alice");
        await a.InviteAsync(Ward, bob.Identifier);
        await b.ListenAsync(Ward, "bob");
        await a.SendAsync(Ward, "once"u8.ToArray());
        var read = await ReceiveAsync(b);
        Assert.Equal("once", Encoding.UTF8.GetString(read.Payload.Span));
        await b.AcknowledgeAsync(read);
        await fleet.StopAsync(bob);

        var service = fleet.Silo.Grains.GetDeliveryService(Ward);
        var original = (await service.ReadAsync(alice.Identifier.ToString(), 0)).Entries.Single(e => e.Kind == LogEntryKind.Message);
        Assert.Equal(DeliveryOutcome.Ok, (await service.SendAsync(alice.Identifier.ToString(), original.Bytes)).Outcome);

        var reopened = await fleet.ReopenAsync(bobHome);
        await reopened.ListenAsync("bob");
        var b2 = await reopened.RoomsAsync();
        await b2.ListenAsync(Ward, "bob");
        var replay = await Assert.ThrowsAsync<RoomIntegrityException>(async () => await ReceiveAsync(b2));
        Assert.Equal(RoomIntegrityError.Unreadable, replay.Error);
        Assert.True(replay.Index > original.Index);

        await a.SendAsync(Ward, "next"u8.ToArray());
        var next = await ReceiveAsync(b2);
        Assert.Equal("next", Encoding.UTF8.GetString(next.Payload.Span));
        Assert.Equal(replay.Index + 1, next.Index);
    }

    /// <summary>
    /// Bob, a member, sends through the real service a message whose generation is 1 001 ahead of his last (his saved
    /// group state restored outside his client and its ratchet run forward). Alice surfaces it as Unreadable rather
    /// than ratcheting his chain that far, so Bob's next honest message — of the generation she expects — is read.
    /// Fails if the receiver's bound on how far ahead a generation may be is removed: the skipped keys past the
    /// bound on kept ones are deleted and Bob is silenced.
    /// </summary>
    [Fact]
    public async Task A_message_with_a_far_future_generation_silences_no_one()
    {
        var alice = await MemberAsync("alice");
        var bobHome = fleet.Home("bob");
        var bob = await MemberAsync("bob");
        var (a, b) = (await alice.RoomsAsync(), await bob.RoomsAsync());
        await a.CreateAsync(Ward.Name, "alice");
        await a.InviteAsync(Ward, bob.Identifier);
        await b.ListenAsync(Ward, "bob");
        await b.SendAsync(Ward, "first"u8.ToArray());
        Assert.Equal("first", Encoding.UTF8.GetString((await ReceiveAsync(a)).Payload.Span));
        await fleet.StopAsync(bob);

        byte[] far;
        using (var home = await NodeHome.OpenAsync(bobHome))
        {
            var signing = await home.GetOrCreatePurposeKeyAsync("default", Purpose.GroupSigning, TimeSpan.FromDays(30), TimeSpan.FromDays(10));
            var services = new MlsGroupServices(home.Vault, new OckamCredentialAuthentication(new MlsMemberDirectory(new KnownIdentities(home.Vault), home.Vault), TimeProvider.System), RoleMembershipPolicy.Instance, TimeProvider.System);
            using var saved = (await new RoomStore(Path.Combine(bobHome, "rooms"), home.Vault).LoadAsync(Ward, services, signing.Key, CancellationToken.None))!;
            MlsMessage message = saved.Group.Encrypt("skipped"u8.ToArray());
            for (var i = 0; i < HashRatchet.MaxForwardDistance + 1; i++)
            {
                message = saved.Group.Encrypt("far ahead"u8.ToArray());
            }

            far = message.Encode();
        }

        var service = fleet.Silo.Grains.GetDeliveryService(Ward);
        Assert.Equal(DeliveryOutcome.Ok, (await service.SendAsync(bob.Identifier.ToString(), far)).Outcome);
        var refused = await Assert.ThrowsAsync<RoomIntegrityException>(async () => await ReceiveAsync(a));
        Assert.Equal(RoomIntegrityError.Unreadable, refused.Error);

        // Bob's client, from its saved state, sends the generation after "first": Alice reads it.
        var reopened = await fleet.ReopenAsync(bobHome);
        await reopened.ListenAsync("bob");
        var b2 = await reopened.RoomsAsync();
        await b2.ListenAsync(Ward, "bob");
        await b2.SendAsync(Ward, "honest"u8.ToArray());
        var honest = await ReceiveAsync(a);
        Assert.Equal(("honest", bob.Identifier), (Encoding.UTF8.GetString(honest.Payload.Span), honest.Sender));
    }

    /// <summary>
    /// A service that shows members different groups: Alice applied commit A for epoch 0 (her own, accepted); the log
    /// then shows her a different commit B for epoch 0 (made from a copy of her epoch-0 state, as another member
    /// would). She surfaces a Fork and stays in her epoch. Fails if a commit for an epoch already left is not checked
    /// against the one applied.
    /// </summary>
    [Fact]
    public async Task Two_different_commits_for_one_epoch_are_detected_as_a_fork()
    {
        var service = new ScriptedDeliveryService();
        var home = fleet.Home("scripted-fork");
        var (client, node, signing) = await ScriptedDeliveryService.ClientAsync(home, service);
        using var disposeNode = node;
        using var disposeClient = client;
        await client.CreateAsync("scripted", null);
        var group = GroupId.Room("scripted");
        var copy = fleet.Home("scripted-fork-copy");
        CopyDirectory(Path.Combine(home, "rooms"), copy);

        await client.UpdateAsync(group);
        Assert.Equal(1UL, client.Epoch(group));

        using var other = await LoadAsync(copy, node, signing, group);
        var b = await other.Group.CommitAsync([], forcePath: true, ratchetTreeInWelcome: false, CancellationToken.None);
        var index = service.Append(GroupDeliveryKind.Commit, b.Commit.Encode());
        await client.CatchUpAsync(group);

        var fork = await Assert.ThrowsAsync<RoomIntegrityException>(async () => await ReceiveAsync(client));
        Assert.Equal((RoomIntegrityError.Fork, index), (fork.Error, fork.Index));
        Assert.Equal(1UL, client.Epoch(group));
    }

    /// <summary>
    /// A service that withholds a commit: a member in epoch 0 is served a message of epoch 1 (the commit that led
    /// there never shown to it). It surfaces WithheldCommit and stays in epoch 0. Fails if the client tries such a
    /// message in its own epoch (Unreadable, the withholding unnamed) or skips it silently.
    /// </summary>
    [Fact]
    public async Task A_message_of_an_epoch_whose_commit_was_withheld_is_detected()
    {
        var service = new ScriptedDeliveryService();
        var home = fleet.Home("scripted-withheld");
        var (client, node, signing) = await ScriptedDeliveryService.ClientAsync(home, service);
        using var disposeNode = node;
        using var disposeClient = client;
        await client.CreateAsync("scripted", null);
        var group = GroupId.Room("scripted");
        var copy = fleet.Home("scripted-withheld-copy");
        CopyDirectory(Path.Combine(home, "rooms"), copy);

        using var ahead = await LoadAsync(copy, node, signing, group);
        await ahead.Group.CommitAsync([], forcePath: true, ratchetTreeInWelcome: false, CancellationToken.None);
        ahead.Group.MergePendingCommit();
        var index = service.Append(GroupDeliveryKind.Message, ahead.Group.Encrypt("of epoch 1"u8.ToArray()).Encode());
        await client.CatchUpAsync(group);

        var withheld = await Assert.ThrowsAsync<RoomIntegrityException>(async () => await ReceiveAsync(client));
        Assert.Equal((RoomIntegrityError.WithheldCommit, index), (withheld.Error, withheld.Index));
        Assert.Equal(0UL, client.Epoch(group));
    }

    /// <summary>
    /// Mallory, a member but no admin, removes the admin by a commit her own (permissive) MLS client made, and the
    /// service logs it. The admin's client refuses it (Unreadable) by the room's roles and stays in its epoch, still
    /// a member. Fails if the client applies commits without <c>RoleMembershipPolicy</c>.
    /// </summary>
    [Fact]
    public async Task A_non_admins_membership_change_is_refused_by_the_clients()
    {
        var service = new ScriptedDeliveryService();
        var home = fleet.Home("scripted-admin");
        var (client, node, signing) = await ScriptedDeliveryService.ClientAsync(home, service);
        using var disposeNode = node;
        using var disposeClient = client;
        var admin = await node.GetOrCreateIdentityAsync("default");
        await client.CreateAsync("scripted", null);
        var group = GroupId.Room("scripted");

        using var malloryHome = await NodeHome.OpenAsync(fleet.Home("scripted-mallory"));
        var mallory = await malloryHome.GetOrCreateIdentityAsync("default");
        var mallorySigning = await malloryHome.GetOrCreatePurposeKeyAsync("default", Purpose.GroupSigning, TimeSpan.FromDays(30), TimeSpan.FromDays(10));
        var bundle = await OckamKeyPackages.CreateAsync(malloryHome.Vault, mallorySigning, TimeProvider.System, [(ushort)GroupRoles.Type], Ockam.Identity.Vault.KeyPersistence.Ephemeral);
        service.Claimable = new ClaimKeyPackageResponse(mallory.History.Encode(), mallorySigning.Attestation.Encode(), bundle.KeyPackage.Encode());
        await client.InviteAsync(group, mallory.Identifier);
        Assert.Equal(1UL, client.Epoch(group));

        var directory = new MlsMemberDirectory(new KnownIdentities(malloryHome.Vault), malloryHome.Vault);
        directory.Add(admin.History, signing.Attestation, DateTimeOffset.UtcNow);
        directory.Add(mallory.History, mallorySigning.Attestation, DateTimeOffset.UtcNow);
        var permissive = new MlsGroupServices(malloryHome.Vault, new OckamCredentialAuthentication(directory, TimeProvider.System), membership: null, TimeProvider.System);
        using var adminState = await LoadAsync(Path.Combine(home, "rooms"), node, signing, group);
        var welcome = MlsMessage.Decode(service.LastWelcome!.Value.Span).Welcome!;
        using var malloryGroup = MlsGroup.Join(permissive, welcome, bundle.KeyPackage, bundle.InitKey, bundle.EncryptionKey, mallorySigning.Key, adminState.Group.ExportRatchetTree());
        var adminLeaf = malloryGroup.Members.Single(m => OckamCredentialAuthentication.IdentifierOf(m.Leaf) == admin.Identifier).Index;
        var removal = await malloryGroup.CommitAsync([new Proposal(new RemoveProposal(adminLeaf))], forcePath: true, ratchetTreeInWelcome: false, CancellationToken.None);
        var index = service.Append(GroupDeliveryKind.Commit, removal.Commit.Encode());
        await client.CatchUpAsync(group);

        var refused = await Assert.ThrowsAsync<RoomIntegrityException>(async () => await ReceiveAsync(client));
        Assert.Equal((RoomIntegrityError.Unreadable, index), (refused.Error, refused.Index));
        Assert.Equal(1UL, client.Epoch(group));
        Assert.Contains(admin.Identifier, client.Members(group));
    }

    private static async Task<RoomState> LoadAsync(string rooms, NodeHome home, PurposeKey signing, GroupId group)
    {
        var services = new MlsGroupServices(home.Vault, new OckamCredentialAuthentication(new MlsMemberDirectory(new KnownIdentities(home.Vault), home.Vault), TimeProvider.System), RoleMembershipPolicy.Instance, TimeProvider.System);
        return (await new RoomStore(rooms, home.Vault).LoadAsync(group, services, signing.Key, CancellationToken.None))!;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private Task<EdgeNode> MemberAsync(string name, TimeProvider? time = null) =>
        fleet.MemberAsync(name, [("ockam.role", "nurse"), ("ockam.relay", "*")], configure: o => o with { Time = time ?? o.Time });

    private static ulong Epoch(RoomClient rooms)
    {
        try
        {
            return rooms.Epoch(Ward);
        }
        catch (EdgeException)
        {
            return 0;
        }
    }

    private static async Task<RoomMessage> ReceiveAsync(RoomClient rooms)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await rooms.ReceiveAsync(timeout.Token);
    }

    /// <summary>
    /// Makes a race certain: once armed, the loser's next commit is held on its way from the gateway to the Delivery
    /// Service until a commit of the winner's has been accepted.
    /// </summary>
    private sealed class CommitRace : IOutgoingGrainCallFilter
    {
        private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource won = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private string? loser;
        private string? winner;
        private int loserCommits;

        public Task LoserHeld => held.Task;

        public int LoserCommits => Volatile.Read(ref loserCommits);

        public void Arm(string loser, string winner) => (this.loser, this.winner) = (loser, winner);

        public async Task Invoke(IOutgoingGrainCallContext context)
        {
            var caller = context.InterfaceMethod?.Name == nameof(IDeliveryServiceGrain.CommitAsync) ? context.Request.GetArgument(0) as string : null;
            if (caller is not null && caller == loser && Interlocked.Increment(ref loserCommits) == 1)
            {
                held.TrySetResult();
                await won.Task;
            }

            await context.Invoke();
            if (caller is not null && caller == winner && context.Result is CommitResult { Outcome: DeliveryOutcome.Ok })
            {
                won.TrySetResult();
            }
        }
    }
}
