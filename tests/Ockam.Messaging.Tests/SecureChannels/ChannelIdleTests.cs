using Microsoft.Extensions.Time.Testing;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Tests.SecureChannels;

/// <summary>A channel closes once it has received nothing authentic for its idle timeout, and only then.</summary>
public sealed class ChannelIdleTests : IAsyncLifetime
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan KeepAliveStep = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private readonly Fleet fleet;
    private Node a = null!;
    private Node b = null!;

    public ChannelIdleTests() => fleet = new Fleet(time);

    public Task InitializeAsync()
    {
        a = fleet.Node("a");
        b = fleet.Node("b");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await fleet.DisposeAsync();

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
}
