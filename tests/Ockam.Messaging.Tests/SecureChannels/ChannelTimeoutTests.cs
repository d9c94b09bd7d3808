using Microsoft.Extensions.Time.Testing;
using Ockam.Identity.Vault;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Tests.SecureChannels;

/// <summary>
/// A handshake that never completes holds nothing once its timeout passes: no worker, no key, no slot. A channel closes
/// once it has received nothing authentic for its idle timeout, and only then.
/// </summary>
public sealed class ChannelTimeoutTests : IAsyncLifetime
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan KeepAliveStep = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private readonly Fleet fleet;
    private Node a = null!;
    private Node b = null!;

    public ChannelTimeoutTests() => fleet = new Fleet(time);

    public Task InitializeAsync()
    {
        a = fleet.Node("a");
        b = fleet.Node("b");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    [Fact]
    public async Task A_responder_left_waiting_for_message_3_frees_everything_at_the_timeout()
    {
        var bob = await fleet.MemberAsync();
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity));
        var failed = new TaskCompletionSource<HandshakeError>();
        listener.HandshakeFailed += (_, e) => failed.TrySetResult(e.Error);
        Inbox.Start(a, "sink");
        var keys = fleet.Vault.Count;
        var workers = b.WorkerCount;

        // An attacker sends a valid first message and then nothing.
        var ephemeral = await fleet.Vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        await a.SendAsync(new Message(Route.Of(Address.Memory("b"), Address.Local("listener")), Route.Of(Address.Local("sink")), fleet.Vault.GetPublicKey(ephemeral)));
        await Eventually.TrueAsync(() => listener.PendingHandshakes == 1 && fleet.Vault.Count > keys + 1 && b.WorkerCount == workers + 2);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, listener.PendingHandshakes);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HandshakeError.TimedOut, await failed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => listener.PendingHandshakes == 0 && fleet.Vault.Count == keys + 1 && b.WorkerCount == workers + 1);
    }

    [Fact]
    public async Task An_initiator_whose_responder_never_answers_gets_a_timeout_and_keeps_no_keys()
    {
        var alice = await fleet.MemberAsync();
        Inbox.Start(b, "black-hole");
        var keys = fleet.Vault.Count;

        var opening = SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), Address.Local("black-hole")), fleet.Options(alice, TrustPolicy.AnyIdentity));
        await Eventually.TrueAsync(() => fleet.Vault.Count > keys);
        time.Advance(TimeSpan.FromSeconds(11));
        var refused = await Assert.ThrowsAsync<HandshakeException>(() => opening.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(HandshakeError.TimedOut, refused.Error);
        await Eventually.TrueAsync(() => fleet.Vault.Count == keys);
    }

    [Fact]
    public async Task A_responder_whose_history_store_fails_refuses_at_once_instead_of_waiting_for_the_timeout()
    {
        var (alice, bob) = (await fleet.MemberAsync(), await fleet.MemberAsync());
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity) with { Histories = new UnavailableHistories() });
        var failed = new TaskCompletionSource<HandshakeError>();
        listener.HandshakeFailed += (_, e) => failed.TrySetResult(e.Error);

        _ = SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.AnyIdentity));

        // The fake clock never moves here: only the refusal itself can end the handshake.
        Assert.Equal(HandshakeError.HistoriesUnavailable, await failed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => listener.PendingHandshakes == 0);
    }

    [Fact]
    public async Task A_listener_at_its_bound_drops_further_first_messages()
    {
        var bob = await fleet.MemberAsync();
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity) with { MaxPendingHandshakes = 3 });
        Inbox.Start(a, "sink");
        for (var i = 0; i < 10; i++)
        {
            var ephemeral = await fleet.Vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
            await a.SendAsync(new Message(Route.Of(Address.Memory("b"), Address.Local("listener")), Route.Of(Address.Local("sink")), fleet.Vault.GetPublicKey(ephemeral)));
        }

        await Eventually.TrueAsync(() => listener.PendingHandshakes == 3);
        // A window in which the seven further first messages would be taken if the bound let them: none must be.
        await Task.Delay(200);
        Assert.Equal(3, listener.PendingHandshakes);
        time.Advance(TimeSpan.FromSeconds(11));
        await Eventually.TrueAsync(() => listener.PendingHandshakes == 0);
    }

    [Fact]
    public async Task Traffic_keeps_a_channel_open_past_its_idle_timeout_and_silence_closes_it()
    {
        var (alice, bob) = (await fleet.MemberAsync(), await fleet.MemberAsync());
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity) with { IdleTimeout = IdleTimeout });
        var accepted = new TaskCompletionSource<SecureChannel>();
        listener.ChannelAccepted += (_, e) => accepted.TrySetResult(e.Channel);
        b.StartWorker(Address.Local("echo"), new Echo());
        b.AcceptFlow(Address.Local("echo"), listener.Flow);
        var replies = Inbox.Start(a, "replies");
        var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.AnyIdentity) with { IdleTimeout = IdleTimeout });
        a.AcceptFlow(Address.Local("replies"), channel.Flow);
        var atB = await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // A round trip every 6 minutes, for 30: each side hears from the other well within its 10.
        for (var i = 0; i < 6; i++)
        {
            await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("echo")), Route.Of(Address.Local("replies")), "72"u8.ToArray()));
            await replies.ReceiveAsync(TimeSpan.FromSeconds(10));
            await PassAsync(TimeSpan.FromMinutes(6));
            Assert.False(channel.Closed.IsCompleted);
            Assert.False(atB.Closed.IsCompleted);
        }

        // Then silence (6 minutes of it so far): not closed a minute short of the timeout, closed at it.
        await PassAsync(IdleTimeout - TimeSpan.FromMinutes(7));
        Assert.False(channel.Closed.IsCompleted);
        Assert.False(atB.Closed.IsCompleted);
        await PassAsync(TimeSpan.FromMinutes(1));
        await channel.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await atB.Closed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Moves the clock in steps of the transport's keep-alive interval, letting each keep-alive through: one jump of
    /// minutes would let the memory connection's own idle timeout (90 s) close it, which is not what is tested here.
    /// </summary>
    private async Task PassAsync(TimeSpan span)
    {
        for (var passed = TimeSpan.Zero; passed < span; passed += KeepAliveStep)
        {
            time.Advance(KeepAliveStep);
            await Task.Delay(20);
        }
    }

    /// <summary>A history store that cannot be reached (an identity grain on a silo that just died).</summary>
    private sealed class UnavailableHistories : Ockam.Identity.Identities.IIdentityHistories
    {
        public ValueTask<Ockam.Identity.Identities.VerifiedIdentity> AcceptAsync(Ockam.Identity.Identities.ChangeHistory presented, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the silo hosting this identity is unavailable");
    }
}
