using System.Text;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Tests.SecureChannels;

/// <summary>Channels between A and B through a relay M on the in-memory transport; M is the untrusted service.</summary>
public sealed class SecureChannelTests : IAsyncLifetime
{
    /// <summary>How long an initiator waits for a confirmation that never comes (a responder that refused it, or never read message 3).</summary>
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(3);

    private readonly Fleet fleet = new();
    private Member alice = null!;
    private Member bob = null!;
    private Node a = null!;
    private Node m = null!;
    private Node b = null!;

    public async Task InitializeAsync()
    {
        alice = await fleet.MemberAsync();
        bob = await fleet.MemberAsync();
        a = fleet.Node("a");
        m = fleet.Node("m");
        b = fleet.Node("b");
    }

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    private static Route ThroughM => Route.Of(Address.Memory("m"), Address.Local("to-b"), Address.Local("listener"));

    [Fact]
    public async Task Both_sides_prove_their_identities_and_messages_flow_both_ways_with_the_peer_attached()
    {
        var relay = Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b")));
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.Identifiers(alice.Identifier)));
        var accepted = new TaskCompletionSource<SecureChannel>();
        listener.ChannelAccepted += (_, e) => accepted.TrySetResult(e.Channel);
        var inboxB = Inbox.Start(b, "app", listener.Flow);
        b.StartWorker(Address.Local("echo"), new Echo());
        b.AcceptFlow(Address.Local("echo"), listener.Flow);
        var inboxA = Inbox.Start(a, "replies");

        var channel = await SecureChannel.CreateAsync(a, ThroughM, fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier)));
        a.AcceptFlow(Address.Local("replies"), channel.Flow);
        Assert.Equal(bob.Identifier, channel.Peer.Identifier);
        Assert.Equal(alice.Identifier, (await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10))).Peer.Identifier);

        await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("app")), Route.Of(Address.Local("replies")), "heart rate 72"u8.ToArray()));
        var atB = await inboxB.ReceiveAsync();
        Assert.Equal("heart rate 72", Encoding.UTF8.GetString(atB.Payload.Span));
        Assert.Equal(alice.Identifier, atB.AuthenticatedPeer?.Identifier);

        // B answers along the return route, back through its end of the channel.
        await b.SendAsync(atB.Reply("ack 72"u8.ToArray()));
        var atA = await inboxA.ReceiveAsync();
        Assert.Equal("ack 72", Encoding.UTF8.GetString(atA.Payload.Span));
        Assert.Equal(bob.Identifier, atA.AuthenticatedPeer?.Identifier);

        // An echo worker on B, reached through the channel, answers through it too.
        await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("echo")), Route.Of(Address.Local("replies")), "ping"u8.ToArray()));
        Assert.Equal("ping", Encoding.UTF8.GetString((await inboxA.ReceiveAsync()).Payload.Span));

        // M relayed every handshake and data message and never saw a plaintext.
        Assert.True(relay.Seen.Count >= 4);
        Assert.DoesNotContain(relay.Seen, p => Contains(p, "heart rate 72"u8) || Contains(p, "ping"u8));
    }

    [Fact]
    public async Task An_initiator_refuses_a_responder_it_does_not_trust()
    {
        Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b")));
        var carol = await fleet.MemberAsync();
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity));

        var refused = await Assert.ThrowsAsync<HandshakeException>(() =>
            SecureChannel.CreateAsync(a, ThroughM, fleet.Options(alice, TrustPolicy.Identifiers(carol.Identifier))));
        Assert.Equal(HandshakeError.Untrusted, refused.Error);
        Assert.Equal(1, a.WorkerCount); // only the memory connection: the refused channel is gone
    }

    [Fact]
    public async Task A_responder_refuses_an_initiator_it_does_not_trust_and_delivers_nothing_from_it()
    {
        Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b")));
        var carol = await fleet.MemberAsync();
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.Identifiers(carol.Identifier)));
        var failed = new TaskCompletionSource<HandshakeError>();
        listener.HandshakeFailed += (_, e) => failed.TrySetResult(e.Error);
        var inboxB = Inbox.Start(b, "app", listener.Flow);

        // XX ends with the initiator's message 3, before the responder has judged it: the channel opens only when the
        // responder confirms, which it never does for an initiator it refused.
        var refused = await Assert.ThrowsAsync<HandshakeException>(() => SecureChannel.CreateAsync(a, ThroughM, fleet.Options(alice, TrustPolicy.AnyIdentity) with { HandshakeTimeout = Refused }));
        Assert.Equal(HandshakeError.TimedOut, refused.Error);
        Assert.Equal(HandshakeError.Untrusted, await failed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await inboxB.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(0, listener.PendingHandshakes);
    }

    [Fact]
    public async Task An_initiator_whose_message_3_never_reaches_the_responder_has_no_channel()
    {
        // M passes messages 1 and 2 and loses message 3 (as a relay holds it for a responder that went away): the
        // responder's handshake times out, so a channel the initiator believed open would carry data nobody can read.
        var carried = 0;
        Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b")), message => Interlocked.Increment(ref carried) == 3 ? [] : [message]);
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity));
        var inboxB = Inbox.Start(b, "app", listener.Flow);

        var lost = await Assert.ThrowsAsync<HandshakeException>(() => SecureChannel.CreateAsync(a, ThroughM, fleet.Options(alice, TrustPolicy.AnyIdentity) with { HandshakeTimeout = Refused }));
        Assert.Equal(HandshakeError.TimedOut, lost.Error);
        Assert.Equal(3, Volatile.Read(ref carried));
        Assert.True(await inboxB.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_credential_from_the_trusted_authority_satisfying_the_policy_is_accepted()
    {
        Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b")));
        var (authority, issuer) = await fleet.AuthorityAsync();
        var credential = issuer.Issue(alice.Identifier, Fleet.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), serial: 1);
        var policy = TrustPolicy.Credentials(Policy.Parse("(= subject.ockam.role \"sensor\")"));
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, policy, fleet.Trusting(authority)));
        var inboxB = Inbox.Start(b, "app", listener.Flow);

        var channel = await SecureChannel.CreateAsync(a, ThroughM, fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier), credentials: credential));
        await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("app")), Route.Empty, "reading"u8.ToArray()));
        var received = await inboxB.ReceiveAsync();
        var peer = Assert.IsType<AuthenticatedPeer>(received.AuthenticatedPeer);
        Assert.Equal("sensor", Encoding.UTF8.GetString(Assert.Single(peer.Credentials).Attributes["ockam.role"]));
    }

    [Theory]
    [InlineData("other role", HandshakeError.Untrusted)]
    [InlineData("revoked", HandshakeError.InvalidCredential)]
    [InlineData("expired", HandshakeError.InvalidCredential)]
    [InlineData("none", HandshakeError.Untrusted)]
    [InlineData("unknown authority", HandshakeError.Untrusted)]
    public async Task A_responder_refuses_credentials_that_do_not_qualify(string kind, HandshakeError expected)
    {
        Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b")));
        var (authority, issuer) = await fleet.AuthorityAsync();
        var (_, strangerIssuer) = await fleet.AuthorityAsync();
        var trust = fleet.Trusting(authority);
        var role = kind == "other role" ? "actuator" : "sensor";
        var credentials = kind switch
        {
            "none" => [],
            "unknown authority" => [strangerIssuer.Issue(alice.Identifier, Fleet.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 1)],
            "expired" => [issuer.Issue(alice.Identifier, Fleet.Attributes(("ockam.role", "sensor")), TimeSpan.FromSeconds(-120), 2)],
            _ => new[] { issuer.Issue(alice.Identifier, Fleet.Attributes(("ockam.role", role)), TimeSpan.FromHours(1), 3) },
        };
        if (kind == "revoked")
        {
            Assert.True(trust.AcceptRevocationList(issuer.IssueRevocationList(1, [3], TimeSpan.FromHours(1)), fleet.Now));
        }

        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.Credentials(Policy.Parse("(= subject.ockam.role \"sensor\")")), trust));
        var failed = new TaskCompletionSource<HandshakeError>();
        listener.HandshakeFailed += (_, e) => failed.TrySetResult(e.Error);

        // The initiator has no channel either: the responder never confirms one it refused.
        await Assert.ThrowsAsync<HandshakeException>(() => SecureChannel.CreateAsync(a, ThroughM, fleet.Options(alice, TrustPolicy.AnyIdentity, credentials: credentials) with { HandshakeTimeout = Refused }));
        Assert.Equal(expected, await failed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_man_in_the_middle_replaying_bobs_identity_proof_with_his_own_key_is_refused()
    {
        // Mallory sits at M and answers in Bob's name: Bob's public history and attestation, Mallory's static key.
        // This is also the key-compromise-impersonation case: whoever holds some other static key still cannot
        // claim an identity whose attestation names a key they do not hold.
        var mallory = await fleet.MemberAsync();
        var impostor = fleet.Options(bob, TrustPolicy.AnyIdentity) with { StaticKey = mallory.StaticKey with { Attestation = bob.StaticKey.Attestation } };
        fleet.Listen(m, "listener", impostor);

        var refused = await Assert.ThrowsAsync<HandshakeException>(() =>
            SecureChannel.CreateAsync(a, Route.Of(Address.Memory("m"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier))));
        Assert.Equal(HandshakeError.StaticKeyMismatch, refused.Error);
    }

    [Fact]
    public async Task A_revoked_identity_cannot_open_a_channel()
    {
        var revoked = await fleet.Identities.RevokeAsync(bob.Identity);
        var bobRevoked = bob with { Identity = bob.Identity with { History = revoked } };
        var listener = fleet.Listen(b, "listener", fleet.Options(bobRevoked, TrustPolicy.AnyIdentity));

        var refused = await Assert.ThrowsAsync<HandshakeException>(() =>
            SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.AnyIdentity)));
        Assert.Equal(HandshakeError.InvalidIdentity, refused.Error);
    }

    [Fact]
    public async Task A_handshake_message_changed_by_the_relay_aborts_the_handshake()
    {
        // M flips one bit in the last byte of every message it relays towards B (message 1 is plaintext e,
        // so the flip in it is caught when B's reply does not authenticate for A, or in message 3 by B).
        Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b")), msg =>
        {
            var bytes = msg.Payload.ToArray();
            bytes[^1] ^= 1;
            return [msg with { Payload = bytes }];
        });
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity));

        var refused = await Assert.ThrowsAsync<HandshakeException>(() =>
            SecureChannel.CreateAsync(a, ThroughM, fleet.Options(alice, TrustPolicy.AnyIdentity)));
        Assert.Contains(refused.Error, new[] { HandshakeError.DecryptionFailed, HandshakeError.InvalidPublicKey });
    }

    [Fact]
    public async Task Data_changed_replayed_or_duplicated_by_the_relay_is_delivered_once_or_not_at_all()
    {
        var tamper = new TamperPlan(TamperPlan.Action.FlipBit, TamperPlan.Action.Duplicate, TamperPlan.Action.ReplayPrevious, TamperPlan.Action.Truncate, TamperPlan.Action.Pass);
        Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b")), tamper.Apply);
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity));
        var inboxB = Inbox.Start(b, "app", listener.Flow);
        var channel = await SecureChannel.CreateAsync(a, ThroughM, fleet.Options(alice, TrustPolicy.AnyIdentity));

        async Task Send(string text) =>
            await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("app")), Route.Empty, Encoding.UTF8.GetBytes(text)));

        await Send("flipped");
        await Send("twice");
        await Send("after replay");
        await Send("truncated");
        await Send("last");

        var texts = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            texts.Add(Encoding.UTF8.GetString((await inboxB.ReceiveAsync()).Payload.Span));
        }

        Assert.Equal(["twice", "after replay", "last"], texts);
        Assert.True(await inboxB.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Closing_tells_the_peer_and_frees_both_sides_keys()
    {
        var keysBefore = fleet.Vault.Count;
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity));
        var accepted = new TaskCompletionSource<SecureChannel>();
        listener.ChannelAccepted += (_, e) => accepted.TrySetResult(e.Channel);
        var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.AnyIdentity));
        var atB = await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(keysBefore + 4, fleet.Vault.Count); // a send and a receive key on each side

        await channel.CloseAsync();
        await atB.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await channel.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(keysBefore, fleet.Vault.Count);
        Assert.False(a.HasWorker(channel.Address));
        Assert.False(b.HasWorker(atB.Address));
    }

    [Fact]
    public async Task Nested_channels_A_to_B_inside_A_to_M_both_verified()
    {
        var mallory = await fleet.MemberAsync(); // the service's identity: trusted to route, not to read
        var service = fleet.Listen(m, "service", fleet.Options(mallory, TrustPolicy.Identifiers(alice.Identifier)));
        Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b"))).Accept(service.Flow);
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.Identifiers(alice.Identifier)));
        var inboxB = Inbox.Start(b, "app", listener.Flow);
        var inboxA = Inbox.Start(a, "replies");

        var outer = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("m"), Address.Local("service")), fleet.Options(alice, TrustPolicy.Identifiers(mallory.Identifier)));
        var inner = await SecureChannel.CreateAsync(a, Route.Of(outer.Address, Address.Local("to-b"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier)));
        Assert.Equal(mallory.Identifier, outer.Peer.Identifier);
        Assert.Equal(bob.Identifier, inner.Peer.Identifier);
        a.AcceptFlow(Address.Local("replies"), inner.Flow);

        await a.SendAsync(new Message(Route.Of(inner.Address, Address.Local("app")), Route.Of(Address.Local("replies")), "nested"u8.ToArray()));
        var atB = await inboxB.ReceiveAsync();
        Assert.Equal("nested", Encoding.UTF8.GetString(atB.Payload.Span));
        Assert.Equal(alice.Identifier, atB.AuthenticatedPeer?.Identifier); // the innermost channel's peer, not M

        await b.SendAsync(atB.Reply("back"u8.ToArray()));
        var atA = await inboxA.ReceiveAsync();
        Assert.Equal("back", Encoding.UTF8.GetString(atA.Payload.Span));
        Assert.Equal(bob.Identifier, atA.AuthenticatedPeer?.Identifier);
    }

    [Fact]
    public async Task A_sender_at_the_end_of_its_counters_closes_the_channel_instead_of_wrapping()
    {
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity) with { RekeyInterval = ulong.MaxValue });
        var accepted = new TaskCompletionSource<SecureChannel>();
        listener.ChannelAccepted += (_, e) => accepted.TrySetResult(e.Channel);
        var inboxB = Inbox.Start(b, "app", listener.Flow);
        var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.AnyIdentity) with { RekeyInterval = ulong.MaxValue });
        var atB = await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        channel.Worker.Encryptor!.SkipTo(ulong.MaxValue - 3);

        async Task Send(string text) =>
            await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("app")), Route.Empty, Encoding.UTF8.GetBytes(text)));

        await Send("2^64-3");
        await Send("2^64-2");
        Assert.Equal("2^64-3", Encoding.UTF8.GetString((await inboxB.ReceiveAsync()).Payload.Span));
        Assert.Equal("2^64-2", Encoding.UTF8.GetString((await inboxB.ReceiveAsync()).Payload.Span));
        Assert.True(channel.Worker.Encryptor.Exhausted);

        await Send("one too many");
        await channel.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await atB.Closed.WaitAsync(TimeSpan.FromSeconds(10)); // the close message used the reserved counter 2^64-2
        Assert.True(await inboxB.StaysEmptyAsync(TimeSpan.FromMilliseconds(200)));
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>What the relay does to each data message it forwards, in order.</summary>
    private sealed class TamperPlan(params TamperPlan.Action[] actions)
    {
        private readonly Queue<Action> plan = new(actions);
        private int handshakeMessages;
        private Message? previous;

        public enum Action
        {
            Pass,
            FlipBit,
            Duplicate,
            ReplayPrevious,
            Truncate,
        }

        public IEnumerable<Message> Apply(Message message)
        {
            // The three handshake messages and the responder's confirmation pass untouched; everything after them is data.
            if (++handshakeMessages <= 4)
            {
                return [message];
            }

            var bytes = message.Payload.ToArray();
            IEnumerable<Message> output = plan.Dequeue() switch
            {
                Action.FlipBit => [message with { Payload = Flip(bytes, 20) }],
                Action.Duplicate => [message, message],
                Action.ReplayPrevious => [message, previous!],
                Action.Truncate => [message with { Payload = bytes.AsMemory(..^1) }],
                _ => [message],
            };
            previous = message;
            return output;
        }

        private static byte[] Flip(byte[] bytes, int index)
        {
            bytes[index] ^= 0x01;
            return bytes;
        }
    }
}
