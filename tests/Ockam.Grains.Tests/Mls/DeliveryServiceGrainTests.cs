using Ockam.Grains.Contracts;
using Ockam.Identity.Mls;
using Ockam.Messaging.Api;

namespace Ockam.Grains.Tests.Mls;

/// <summary>
/// The MLS Delivery Service grain with real Ockam identities and real MLS clients: a group created from its creator's
/// GroupInfo, joiners from Welcomes and trees fetched in chunks, one ordered log; and the attacks it must refuse.
/// </summary>
[Collection(ClusterDefinition.Name)]
public sealed class DeliveryServiceGrainTests(ClusterFixture fixture) : IDisposable
{
    private readonly List<DsMember> clients = [];

    [Fact]
    public async Task A_joiner_assembles_the_paged_tree_of_its_welcome_and_members_read_commits_and_messages_in_one_order()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var carol = await ClientAsync();

        // The tree of three leaves is larger than a chunk: Carol fetches it in pieces.
        var add = await alice.CommitAsync(new Proposal(new AddProposal(carol.Bundle.KeyPackage)));
        var added = await ds.CommitAsync(alice.Id, add.Commit, add.Welcome);
        Assert.Equal(DeliveryOutcome.Ok, added.Outcome);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(MlsMessage.Decode(add.Commit));
        var welcome = await ds.GetWelcomeAsync(carol.Id);
        Assert.NotNull(welcome);
        Assert.Equal(added.Index, welcome.CommitIndex);
        Assert.True(welcome.TreeLength > ClusterFixture.DeliveryPageBytes);
        var tree = await FetchTreeAsync(ds, carol.Id, welcome.Epoch, welcome.TreeLength);
        carol.Join(welcome.Welcome, tree);

        // The tree reassembled is the one whose hash the Welcome's GroupInfo holds (Join checks it too).
        Assert.Equal(carol.Group.Context.TreeHash.ToArray(), PublicTree.FromRatchetTree(DsMember.Suite, RatchetTree.Decode(tree)).TreeHash());
        Assert.Equal(alice.Group.Context.TreeHash.ToArray(), carol.Group.Context.TreeHash.ToArray());

        var hello = await ds.SendAsync(bob.Id, bob.Encrypt("hello"));
        var update = await carol.CommitAsync();
        var updated = await ds.CommitAsync(carol.Id, update.Commit, null);
        Assert.Equal(DeliveryOutcome.Ok, updated.Outcome);
        carol.Group.MergePendingCommit();
        var after = await ds.SendAsync(carol.Id, carol.Encrypt("after"));
        Assert.True(added.Index < hello.Index && hello.Index < updated.Index && updated.Index < after.Index);

        // Alice reads the log from Carol's add on, page by page, and follows it: one order for commits and messages.
        var entries = await ReadAllAsync(ds, alice.Id, added.Index);
        Assert.Equal([LogEntryKind.Message, LogEntryKind.Commit, LogEntryKind.Message], entries.Select(e => e.Kind));
        Assert.Equal([hello.Index, updated.Index, after.Index], entries.Select(e => e.Index));
        Assert.Equal("hello", alice.Decrypt(entries[0].Bytes));
        alice.Group.ProcessCommit(MlsMessage.Decode(entries[1].Bytes));
        Assert.Equal("after", alice.Decrypt(entries[2].Bytes));
        Assert.Equal(carol.Group.Context.TreeHash.ToArray(), alice.Group.Context.TreeHash.ToArray());

        var info = await ds.GetInfoAsync();
        Assert.Equal(3UL, info.Epoch);
        Assert.Equal(new[] { alice.Id, bob.Id, carol.Id }.Order(), info.Members.Order());
        Assert.Equal([alice.Id], info.Admins);
    }

    [Fact]
    public async Task The_first_commit_of_an_epoch_wins_and_a_later_one_gets_the_winner()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var first = await alice.CommitAsync();
        var second = await bob.CommitAsync();

        Assert.Equal(DeliveryOutcome.Ok, (await ds.CommitAsync(alice.Id, first.Commit, null)).Outcome);
        var lost = await ds.CommitAsync(bob.Id, second.Commit, null);
        Assert.Equal(DeliveryOutcome.Conflict, lost.Outcome);
        Assert.Equal(first.Commit, lost.Winner);

        // Bob drops his commit and follows the winner.
        bob.Group.DiscardPendingCommit();
        bob.Group.ProcessCommit(MlsMessage.Decode(lost.Winner!));
        alice.Group.MergePendingCommit();
        Assert.Equal(alice.Group.Context.TreeHash.ToArray(), bob.Group.Context.TreeHash.ToArray());
    }

    [Fact]
    public async Task A_member_who_is_not_an_admin_can_neither_add_nor_make_itself_admin()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var carol = await ClientAsync();

        var add = await bob.CommitAsync(new Proposal(new AddProposal(carol.Bundle.KeyPackage)));
        Assert.Equal(DeliveryOutcome.NotAdmin, (await ds.CommitAsync(bob.Id, add.Commit, add.Welcome)).Outcome);
        bob.Group.DiscardPendingCommit();

        var roles = GroupRoles.Of([alice.Identity.Identifier, bob.Identity.Identifier]).ToExtension();
        var promote = await bob.CommitAsync(new Proposal(new GroupContextExtensionsProposal([roles])));
        Assert.Equal(DeliveryOutcome.NotAdmin, (await ds.CommitAsync(bob.Id, promote.Commit, null)).Outcome);

        var info = await ds.GetInfoAsync();
        Assert.Equal(1UL, info.Epoch);
        Assert.Equal([alice.Id], info.Admins);
        Assert.Null(await ds.GetWelcomeAsync(carol.Id));
    }

    [Fact]
    public async Task An_add_of_a_key_package_naming_a_known_identity_with_another_key_is_refused()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var carol = await ClientAsync();

        // Carol's identifier, known and published, on a leaf signed by a key Carol never attested.
        var forged = await carol.ForgedPackageAsync(fixture.Time);
        var add = await alice.CommitAsync(new Proposal(new AddProposal(forged)));
        Assert.Equal(DeliveryOutcome.Unauthenticated, (await ds.CommitAsync(alice.Id, add.Commit, add.Welcome)).Outcome);
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), (await ds.GetInfoAsync()).Members.Order());
        Assert.Null(await ds.GetWelcomeAsync(carol.Id));
    }

    [Fact]
    public async Task A_leaf_of_an_identity_revoked_since_the_service_last_saw_it_is_refused()
    {
        var (ds, alice, _) = await RoomOfTwoAsync();
        var carol = await ClientAsync();
        var add = await alice.CommitAsync(new Proposal(new AddProposal(carol.Bundle.KeyPackage)));
        Assert.Equal(DeliveryOutcome.Ok, (await ds.CommitAsync(alice.Id, add.Commit, add.Welcome)).Outcome);
        alice.Group.MergePendingCommit();
        var remove = await alice.CommitAsync(new Proposal(new RemoveProposal(new LeafIndex(2))));
        Assert.Equal(DeliveryOutcome.Ok, (await ds.CommitAsync(alice.Id, remove.Commit, null)).Outcome);
        alice.Group.MergePendingCommit();

        // Carol revokes her identity (its key was stolen, say); a key package of hers signed before is refused.
        var revoked = await carol.Identities.RevokeAsync(carol.Identity);
        Assert.Equal(PublicationOutcome.Accepted, (await fixture.Grains.GetGrain<IIdentityGrain>(carol.Id).PublishAsync(revoked.Encode())).Outcome);
        var again = await alice.CommitAsync(new Proposal(new AddProposal(await carol.AnotherPackageAsync(fixture.Time))));
        Assert.Equal(DeliveryOutcome.Unauthenticated, (await ds.CommitAsync(alice.Id, again.Commit, again.Welcome)).Outcome);
    }

    [Fact]
    public async Task A_commit_whose_signature_does_not_verify_is_refused()
    {
        var (ds, alice, _) = await RoomOfTwoAsync();
        var commit = MlsMessage.Decode((await alice.CommitAsync()).Commit).PublicMessage!;
        var signature = commit.Auth.Signature.ToArray();
        signature[0] ^= 1;
        var tampered = MlsMessage.Of(new PublicMessage(commit.Content, new FramedContentAuthData(signature, commit.Auth.ConfirmationTag), commit.MembershipTag)).Encode();

        Assert.Equal(DeliveryOutcome.Invalid, (await ds.CommitAsync(alice.Id, tampered, null)).Outcome);
        Assert.Equal(1UL, (await ds.GetInfoAsync()).Epoch);
    }

    [Fact]
    public async Task A_commit_handed_in_by_another_member_than_its_sender_is_refused()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var commit = await alice.CommitAsync();

        Assert.Equal(DeliveryOutcome.NotSender, (await ds.CommitAsync(bob.Id, commit.Commit, null)).Outcome);
        Assert.Equal(1UL, (await ds.GetInfoAsync()).Epoch);
    }

    [Fact]
    public async Task A_message_of_an_epoch_the_group_has_left_is_refused()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var old = bob.Encrypt("late");
        var commit = await alice.CommitAsync();
        Assert.Equal(DeliveryOutcome.Ok, (await ds.CommitAsync(alice.Id, commit.Commit, null)).Outcome);
        var logged = (await ds.GetInfoAsync()).MessagesLogged;

        Assert.Equal(DeliveryOutcome.Conflict, (await ds.SendAsync(bob.Id, old)).Outcome);
        Assert.Equal(logged, (await ds.GetInfoAsync()).MessagesLogged);
    }

    [Fact]
    public async Task A_stranger_reads_nothing_and_a_removed_member_only_the_commit_that_removed_it()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var stranger = await ClientAsync();
        await ds.SendAsync(alice.Id, alice.Encrypt("for members"));

        Assert.Equal(DeliveryOutcome.NotAMember, (await ds.ReadAsync(stranger.Id, 0)).Outcome);
        Assert.Empty((await ds.ReadAsync(stranger.Id, 0)).Entries);
        Assert.Equal(DeliveryOutcome.NotAMember, (await ds.GetTreeAsync(stranger.Id, 1, 0)).Outcome);

        var remove = await alice.CommitAsync(new Proposal(new RemoveProposal(new LeafIndex(1))));
        var removed = await ds.CommitAsync(alice.Id, remove.Commit, null);
        Assert.Equal(DeliveryOutcome.Ok, removed.Outcome);
        await ds.SendAsync(alice.Id, alice.Encrypt("after bob"));

        var page = await ds.ReadAsync(bob.Id, 0);
        Assert.Equal(DeliveryOutcome.Ok, page.Outcome);
        Assert.Equal([removed.Index], page.Entries.Select(e => e.Index));
        Assert.Equal(DeliveryOutcome.NotAMember, (await ds.SendAsync(bob.Id, bob.Encrypt("still here?"))).Outcome);
    }

    [Fact]
    public async Task A_joiner_whose_group_moved_on_joins_from_the_kept_tree_and_catches_up_from_its_commit()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var carol = await ClientAsync();
        var add = await alice.CommitAsync(new Proposal(new AddProposal(carol.Bundle.KeyPackage)));
        var added = await ds.CommitAsync(alice.Id, add.Commit, add.Welcome);
        alice.Group.MergePendingCommit();
        var update = await alice.CommitAsync();
        Assert.Equal(DeliveryOutcome.Ok, (await ds.CommitAsync(alice.Id, update.Commit, null)).Outcome);
        alice.Group.MergePendingCommit();

        // Carol comes later: her Welcome is of epoch 2, the group is in 3, and the tree she gets is epoch 2's.
        var welcome = (await ds.GetWelcomeAsync(carol.Id))!;
        Assert.Equal(2UL, welcome.Epoch);
        carol.Join(welcome.Welcome, await FetchTreeAsync(ds, carol.Id, welcome.Epoch, welcome.TreeLength));
        var entries = await ReadAllAsync(ds, carol.Id, welcome.CommitIndex);
        carol.Group.ProcessCommit(MlsMessage.Decode(Assert.Single(entries).Bytes));
        Assert.Equal(alice.Group.Context.TreeHash.ToArray(), carol.Group.Context.TreeHash.ToArray());

        // Bob, a member, gets the current tree only; a stranger none.
        Assert.Equal(DeliveryOutcome.NotAMember, (await ds.GetTreeAsync(bob.Id, 2, 0)).Outcome);
        Assert.Equal(DeliveryOutcome.Ok, (await ds.GetTreeAsync(bob.Id, 3, 0)).Outcome);
        Assert.Equal(added.Index, welcome.CommitIndex);
    }

    [Fact]
    public async Task A_group_is_created_only_by_its_single_admin_member_for_its_own_id()
    {
        var alice = await ClientAsync();
        var bob = await ClientAsync();
        var name = Guid.NewGuid().ToString("N");
        var room = fixture.Grains.GetGrain<IDeliveryServiceGrain>(GroupId.Room(name).Value);
        var topic = fixture.Grains.GetGrain<IDeliveryServiceGrain>(GroupId.Topic(name).Value);

        // Roles that name Bob only: Alice's group has no admin she could act as.
        var (notAdmin, notAdminTree) = await alice.FoundAsync(GroupId.Room(name), bob);
        Assert.Equal(DeliveryOutcome.NotAdmin, await room.CreateAsync(alice.Id, notAdmin, notAdminTree, null, null, null));
        alice.Group.Dispose();

        var (groupInfo, tree) = await alice.FoundAsync(GroupId.Room(name), alice);
        Assert.Equal(DeliveryOutcome.Invalid, await room.CreateAsync(bob.Id, groupInfo, tree, null, null, null));
        Assert.Equal(DeliveryOutcome.Invalid, await topic.CreateAsync(alice.Id, groupInfo, tree, null, "true", "true"));
        Assert.Equal(DeliveryOutcome.Ok, await room.CreateAsync(alice.Id, groupInfo, tree, null, null, null));
        Assert.Equal(DeliveryOutcome.Exists, await room.CreateAsync(alice.Id, groupInfo, tree, null, null, null));
        Assert.False((await topic.GetInfoAsync()).Exists);
    }

    [Fact]
    public async Task A_topics_subscriber_waits_for_the_admins_commit_and_is_told_of_its_welcome_through_its_own_relay_only()
    {
        var alice = await ClientAsync();
        var carol = await ClientAsync();
        var id = GroupId.Topic(Guid.NewGuid().ToString("N"));
        var ds = fixture.Grains.GetGrain<IDeliveryServiceGrain>(id.Value);
        var (groupInfo, tree) = await alice.FoundAsync(id, alice);
        Assert.Equal(DeliveryOutcome.Ok, await ds.CreateAsync(alice.Id, groupInfo, tree, null, "subscribe", "publish"));
        var carolsRelay = await RelayOfAsync(carol.Id);
        var alicesRelay = await RelayOfAsync(alice.Id);

        // Carol cannot have the topic's traffic sent to a relay she does not own, nor can Alice to Carol's.
        Assert.Equal(DeliveryOutcome.RelayNotOwned, await ds.RequestJoinAsync(carol.Id, alicesRelay));
        Assert.Equal(DeliveryOutcome.RelayNotOwned, await ds.ListenAsync(alice.Id, carolsRelay));
        Assert.Equal(DeliveryOutcome.Ok, await ds.RequestJoinAsync(carol.Id, carolsRelay));
        Assert.Equal(DeliveryOutcome.Exists, await ds.RequestJoinAsync(carol.Id, carolsRelay));
        var info = await ds.GetInfoAsync();
        Assert.Equal([carol.Id], info.Pending);
        Assert.Equal(("subscribe", "publish"), (info.SubscribePolicy, info.PublishPolicy));

        var recorder = new RelayRecorder();
        Assert.Equal(RelayOutcome.Ok, await fixture.Grains.GetGrain<IRelayGrain>(carolsRelay).ConnectAsync(carol.Id, fixture.Grains.CreateObjectReference<IRelayObserver>(recorder)));
        var add = await alice.CommitAsync(new Proposal(new AddProposal(carol.Bundle.KeyPackage)));
        var added = await ds.CommitAsync(alice.Id, add.Commit, add.Welcome);
        Assert.Empty((await ds.GetInfoAsync()).Pending);

        // Pushed live and not stored: the log (and the kept Welcome) is the durable copy, so nothing waits in a mailbox.
        var delivered = Assert.Single(await recorder.TakeAsync(1));
        var delivery = GroupDelivery.Decode(Ockam.Messaging.Routing.MessageCodec.Decode(delivered.Envelope, GroupDelivery.MaxSize + 1024).Payload);
        Assert.Equal((id, GroupDeliveryKind.Welcome, added.Index), (delivery.Group, delivery.Kind, delivery.Index));
        Assert.Empty(delivery.Content);
        Assert.Equal(RelayDelivery.Unstored, delivered.Sequence);
        Assert.Equal(0, (await fixture.Grains.GetGrain<IRelayGrain>(carolsRelay).GetStatusAsync()).Queued);
    }

    /// <summary>
    /// Members whose relays a gateway said it holds get each entry in one call to that gateway, naming all their relays
    /// and carrying the envelope their relays would push; a member whose relay no gateway named gets it through its
    /// relay's grain, the same bytes. Fails if the fan-out calls each relay (or each member) on its own.
    /// </summary>
    [Fact]
    public async Task Entries_go_once_to_the_gateway_holding_members_relays_and_through_the_relay_to_the_others()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var carol = await ClientAsync();
        var dave = await ClientAsync();
        var add = await alice.CommitAsync(new Proposal(new AddProposal(carol.Bundle.KeyPackage)), new Proposal(new AddProposal(dave.Bundle.KeyPackage)));
        Assert.Equal(DeliveryOutcome.Ok, (await ds.CommitAsync(alice.Id, add.Commit, add.Welcome)).Outcome);
        alice.Group.MergePendingCommit();
        var relays = new Dictionary<string, string>();
        foreach (var member in new[] { bob, carol, dave })
        {
            relays[member.Id] = await RelayOfAsync(member.Id);
            Assert.Equal(DeliveryOutcome.Ok, await ds.ListenAsync(member.Id, relays[member.Id]));
        }

        var gateway = new GatewayRecorder();
        var reference = fixture.Grains.CreateObjectReference<IGroupGateway>(gateway);
        await ds.RouteThroughAsync(relays[bob.Id], reference);
        await ds.RouteThroughAsync(relays[carol.Id], reference);
        var daves = new RelayRecorder();
        Assert.Equal(RelayOutcome.Ok, await fixture.Grains.GetGrain<IRelayGrain>(relays[dave.Id]).ConnectAsync(dave.Id, fixture.Grains.CreateObjectReference<IRelayObserver>(daves)));

        var sent = await ds.SendAsync(alice.Id, alice.Encrypt("to three"));
        Assert.Equal(DeliveryOutcome.Ok, sent.Outcome);
        var (envelope, through) = await gateway.TakeAsync();
        Assert.Equal(new[] { relays[bob.Id], relays[carol.Id] }.Order(), through.Order());
        Assert.Equal((GroupDeliveryKind.Message, sent.Index), IndexOf(envelope));
        Assert.Equal(envelope, Assert.Single(await daves.TakeAsync(1)).Envelope);

        // Bob names his relay again: where it is connected is for a gateway to say again, and until then his relay
        // takes his deliveries.
        var bobs = new RelayRecorder();
        Assert.Equal(RelayOutcome.Ok, await fixture.Grains.GetGrain<IRelayGrain>(relays[bob.Id]).ConnectAsync(bob.Id, fixture.Grains.CreateObjectReference<IRelayObserver>(bobs)));
        Assert.Equal(DeliveryOutcome.Ok, await ds.ListenAsync(bob.Id, relays[bob.Id]));
        var next = await ds.SendAsync(alice.Id, alice.Encrypt("after bob named his relay again"));
        (envelope, through) = await gateway.TakeAsync();
        Assert.Equal([relays[carol.Id]], through);
        Assert.Equal((GroupDeliveryKind.Message, next.Index), IndexOf(Assert.Single(await bobs.TakeAsync(1)).Envelope));
        Assert.True(gateway.IsEmpty);
    }

    /// <summary>
    /// The gateway a member's relay was connected through cannot be reached (its silo died): the entries it misses go
    /// through the member's relay, which knows where its owner listens now, and the gateway is asked no more. Fails if a
    /// gateway that is gone kept a member's live deliveries.
    /// </summary>
    [Fact]
    public async Task Entries_for_an_unreachable_gateway_go_through_the_relays()
    {
        var (ds, alice, bob) = await RoomOfTwoAsync();
        var relay = await RelayOfAsync(bob.Id);
        Assert.Equal(DeliveryOutcome.Ok, await ds.ListenAsync(bob.Id, relay));
        var bobs = new RelayRecorder();
        Assert.Equal(RelayOutcome.Ok, await fixture.Grains.GetGrain<IRelayGrain>(relay).ConnectAsync(bob.Id, fixture.Grains.CreateObjectReference<IRelayObserver>(bobs)));
        var gateway = new GatewayRecorder();
        var reference = fixture.Grains.CreateObjectReference<IGroupGateway>(gateway);
        await ds.RouteThroughAsync(relay, reference);
        gateway.Unreachable = true;

        var first = await ds.SendAsync(alice.Id, alice.Encrypt("one"));
        Assert.Equal(first.Index, IndexOf(Assert.Single(await bobs.TakeAsync(1)).Envelope).Index);
        gateway.Unreachable = false;
        var second = await ds.SendAsync(alice.Id, alice.Encrypt("two"));
        Assert.Equal(second.Index, IndexOf(Assert.Single(await bobs.TakeAsync(1)).Envelope).Index);
        Assert.True(gateway.IsEmpty);
    }

    private static (GroupDeliveryKind Kind, ulong Index) IndexOf(byte[] envelope)
    {
        var delivery = GroupDelivery.Decode(Ockam.Messaging.Routing.MessageCodec.Decode(envelope, GroupDelivery.MaxSize + 1024).Payload);
        return (delivery.Kind, delivery.Index);
    }

    [Fact]
    public async Task Welcomes_wait_for_away_joiners_within_a_bound_in_bytes_not_a_count_of_epochs()
    {
        var (ds, alice, _) = await RoomOfTwoAsync();

        // Twenty joiners invited one commit at a time, none of them fetching its Welcome yet.
        var joiners = new List<DsMember>();
        for (var i = 0; i < 20; i++)
        {
            var joiner = await ClientAsync();
            var add = await alice.CommitAsync(new Proposal(new AddProposal(joiner.Bundle.KeyPackage)));
            Assert.Equal(DeliveryOutcome.Ok, (await ds.CommitAsync(alice.Id, add.Commit, add.Welcome)).Outcome);
            alice.Group.MergePendingCommit();
            joiners.Add(joiner);
        }

        // The newest invitations that fit the bound wait, more than a handful of epochs' worth; the oldest went.
        var waiting = new List<(DsMember Joiner, WelcomeResult Welcome)>();
        foreach (var joiner in joiners)
        {
            if (await ds.GetWelcomeAsync(joiner.Id) is { } kept)
            {
                waiting.Add((joiner, kept));
            }
        }

        Assert.InRange(waiting.Count, 5, joiners.Count - 1);
        Assert.Equal(joiners.TakeLast(waiting.Count).Select(j => j.Id), waiting.Select(w => w.Joiner.Id));
        Assert.InRange(waiting.Sum(w => (long)w.Welcome.Welcome.Length + w.Welcome.TreeLength), 0, ClusterFixture.DeliveryKeptWelcomeBytes);

        // The oldest one still waiting joins from its Welcome and the tree of its epoch.
        var (oldest, welcome) = waiting[0];
        oldest.Join(welcome.Welcome, await FetchTreeAsync(ds, oldest.Id, welcome.Epoch, welcome.TreeLength));
        Assert.Equal(welcome.Epoch, oldest.Group.Epoch);
    }

    public void Dispose()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    private static async Task<byte[]> FetchTreeAsync(IDeliveryServiceGrain ds, string caller, ulong epoch, int length)
    {
        var tree = new List<byte>();
        var chunks = 0;
        while (tree.Count < length)
        {
            var chunk = await ds.GetTreeAsync(caller, epoch, tree.Count);
            Assert.Equal(DeliveryOutcome.Ok, chunk.Outcome);
            Assert.InRange(chunk.Bytes.Length, 1, ClusterFixture.DeliveryPageBytes);
            tree.AddRange(chunk.Bytes);
            chunks++;
        }

        Assert.True(chunks > 1);
        return [.. tree];
    }

    private static async Task<List<LogEntry>> ReadAllAsync(IDeliveryServiceGrain ds, string member, ulong after)
    {
        var entries = new List<LogEntry>();
        LogPage page;
        do
        {
            page = await ds.ReadAsync(member, entries.Count == 0 ? after : entries[^1].Index);
            Assert.Equal(DeliveryOutcome.Ok, page.Outcome);
            entries.AddRange(page.Entries);
        }
        while (page.More);
        return entries;
    }

    private async Task<string> RelayOfAsync(string owner)
    {
        var name = Guid.NewGuid().ToString("N");
        Assert.Equal(RelayOutcome.Ok, await fixture.Grains.GetGrain<IRelayGrain>(name).ClaimAsync(owner, durable: true));
        return name;
    }

    private async Task<DsMember> ClientAsync()
    {
        var client = await DsMember.CreateAsync(fixture.Grains, fixture.Time);
        clients.Add(client);
        return client;
    }

    /// <summary>A room created by Alice, its only admin, who added Bob: both in epoch 1.</summary>
    private async Task<(IDeliveryServiceGrain Ds, DsMember Alice, DsMember Bob)> RoomOfTwoAsync()
    {
        var alice = await ClientAsync();
        var bob = await ClientAsync();
        var id = GroupId.Room(Guid.NewGuid().ToString("N"));
        var ds = fixture.Grains.GetGrain<IDeliveryServiceGrain>(id.Value);
        var (groupInfo, tree) = await alice.FoundAsync(id, alice);
        Assert.Equal(DeliveryOutcome.Ok, await ds.CreateAsync(alice.Id, groupInfo, tree, null, null, null));

        var add = await alice.CommitAsync(new Proposal(new AddProposal(bob.Bundle.KeyPackage)));
        Assert.Equal(DeliveryOutcome.Ok, (await ds.CommitAsync(alice.Id, add.Commit, add.Welcome)).Outcome);
        alice.Group.MergePendingCommit();
        var welcome = (await ds.GetWelcomeAsync(bob.Id))!;
        var chunk = new List<byte>();
        while (chunk.Count < welcome.TreeLength)
        {
            chunk.AddRange((await ds.GetTreeAsync(bob.Id, welcome.Epoch, chunk.Count)).Bytes);
        }

        bob.Join(welcome.Welcome, [.. chunk]);
        return (ds, alice, bob);
    }
}
