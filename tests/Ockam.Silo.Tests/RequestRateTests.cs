using Microsoft.Extensions.Time.Testing;
using Ockam.Identity.Identities;
using Ockam.Silo.Gateway;

namespace Ockam.Silo.Tests;

/// <summary>The gateway's per-identity pacing: a burst at once, then one turn every 1/rate seconds, refused only past the patience.</summary>
public sealed class RequestRateTests
{
    private static readonly Identifier Flooder = Identifier.FromHash(new byte[32]);
    private static readonly Identifier Other = Identifier.FromHash(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly FakeTimeProvider time = new();

    [Fact]
    public void Past_the_burst_each_turn_is_due_one_interval_after_the_last_and_nothing_is_reserved_past_the_patience()
    {
        var rate = new RequestRate(perSecond: 10, burst: 2, time);
        var patience = TimeSpan.FromMilliseconds(250);

        var dues = Enumerable.Range(0, 5).Select(_ => rate.Reserve(Flooder, patience)).ToList();

        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), null], dues.Select(d => d?.Round()));

        // The refusal reserved nothing: 100 ms on, the next turn is where the refused one would have been, 200 ms away.
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(200), rate.Reserve(Flooder, patience)?.Round());
    }

    [Fact]
    public void One_identity_waiting_leaves_another_its_whole_burst()
    {
        var rate = new RequestRate(perSecond: 10, burst: 3, time);
        for (var i = 0; i < 5; i++)
        {
            rate.Reserve(Flooder, TimeSpan.FromSeconds(1));
        }

        Assert.All(Enumerable.Range(0, 3), _ => Assert.Equal(TimeSpan.Zero, rate.Reserve(Other, TimeSpan.Zero)));
        Assert.Null(rate.Reserve(Other, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_paced_request_is_let_through_only_when_its_turn_comes()
    {
        var rate = new RequestRate(perSecond: 4, burst: 1, time);
        Assert.True(await rate.WaitAsync(Flooder, TimeSpan.FromSeconds(1), CancellationToken.None));

        var waiting = rate.WaitAsync(Flooder, TimeSpan.FromSeconds(1), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_request_that_would_wait_past_the_patience_is_refused_at_once()
    {
        var rate = new RequestRate(perSecond: 1, burst: 1, time);
        Assert.True(await rate.WaitAsync(Flooder, TimeSpan.Zero, CancellationToken.None));

        var refused = rate.WaitAsync(Flooder, TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.True(refused.IsCompleted);
        Assert.False(await refused);
    }
}

/// <summary>Reservations are computed in floating point: compared to the millisecond.</summary>
file static class TimeSpanRounding
{
    public static TimeSpan Round(this TimeSpan span) => TimeSpan.FromMilliseconds(Math.Round(span.TotalMilliseconds));
}
