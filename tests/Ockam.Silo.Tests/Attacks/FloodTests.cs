using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Silo.Gateway;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests.Attacks;

/// <summary>One peer's flood costs that peer: channels per connection are bounded, and requests per identity paced.</summary>
public sealed class FloodTests : IAsyncLifetime
{
    private const int RequestsPerSecond = 20;
    private const int Burst = 10;
    private const int HandshakesPerSecond = 10;
    private const int HandshakeBurst = 1;
    private const int StoredRelayedPerSecond = 10;
    private const int StoredRelayedBurst = 5;
    private readonly TempDirectory data = new();
    private RunningSilo silo = null!;

    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(data.Path, services: s => s.Configure<EdgeGatewayOptions>(o =>
        {
            o.RequestsPerSecond = RequestsPerSecond;
            o.RequestBurst = Burst;
            o.StoredRelayedPerSecond = StoredRelayedPerSecond;
            o.StoredRelayedBurst = StoredRelayedBurst;

            // Each channel waits for one turn at a time (50 ms apart): two channels of one identity wait at most 100 ms, three up to 150.
            o.RequestRatePatience = TimeSpan.FromMilliseconds(120);
            o.HandshakesPerSecond = HandshakesPerSecond;
            o.HandshakeBurst = HandshakeBurst;
            o.MaxChannelsPerConnection = 3;
            o.HandshakeTimeout = TimeSpan.FromSeconds(2);
        }));

    public async Task DisposeAsync()
    {
        await silo.DisposeAsync();
        data.Dispose();
    }

    /// <summary>Past its burst the flooder is paced (its channel reads nothing until its turn), not answered with refusals; a bystander is not held up.</summary>
    [Fact]
    public async Task A_channel_sending_faster_than_its_rate_is_paced_and_another_channel_is_not()
    {
        await using var flooder = await Edge.CreateAsync(silo);
        await using var bystander = await Edge.CreateAsync(silo);
        var (_, flooding) = await flooder.OpenAsync("secure");
        var (_, calm) = await bystander.OpenAsync("secure");

        var clock = Stopwatch.StartNew();
        var floodAnswers = Enumerable.Range(0, 40).Select(_ => flooding.CallAsync(new GetAuthorityRequest())).ToList();
        var calmAnswers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => calm.CallAsync(new GetAuthorityRequest())));
        var floodedWhenCalmDone = floodAnswers.Count(a => a.IsCompleted);
        var answers = await Task.WhenAll(floodAnswers);
        var floodTook = clock.Elapsed;

        Assert.All(calmAnswers, a => Assert.Equal(ApiStatus.Ok, a.Status));
        Assert.All(answers, a => Assert.Equal(ApiStatus.Ok, a.Status));
        Assert.True(floodedWhenCalmDone < answers.Length, "the bystander waited for the whole flood");

        // 30 past the burst of 10, at 20 a second: no sooner than 1.5 s (a lower bound, which only the pacing sets).
        Assert.True(floodTook >= 0.9 * PacedFor(40), $"40 requests answered in {floodTook.TotalSeconds:F2} s");
    }

    /// <summary>The bucket is the identity's: more channels buy a flooding peer no more.</summary>
    [Fact]
    public async Task An_identity_flooding_over_two_channels_shares_one_rate()
    {
        await using var flooder = await Edge.CreateAsync(silo);
        var (_, one) = await flooder.OpenAsync("secure");
        var (_, two) = await flooder.OpenAsync("secure");

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? one : two).CallAsync(new GetAuthorityRequest())));
        var took = clock.Elapsed;

        // A bucket per channel would have let these through in a third of the time (each channel 10 past its burst).
        Assert.All(answers, a => Assert.Equal(ApiStatus.Ok, a.Status));
        Assert.True(took >= 0.9 * PacedFor(40), $"40 requests over two channels answered in {took.TotalSeconds:F2} s");
    }

    /// <summary>
    /// Stored relayed messages (each a durable row) have a rate of their own, below the request rate: a member sending
    /// them as fast as it can is paced to it, and none is lost. Fails if they are paced at the request rate.
    /// </summary>
    [Fact]
    public async Task A_member_sending_stored_relayed_messages_as_fast_as_it_can_is_paced_at_the_lower_stored_rate()
    {
        const int messages = 25;
        var relay = silo.Grains.GetGrain<IRelayGrain>("phone");
        Assert.Equal(RelayOutcome.Ok, await relay.ClaimAsync("someone", durable: true));
        await using var flooder = await Edge.CreateAsync(silo);
        var (channel, _) = await flooder.OpenAsync("member", await flooder.EnrolAsync(Actors.Attributes(("ockam.role", "sensor"))));

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            await flooder.Node.SendAsync(new Message(Route.Of(channel.Address, Address.Local(RelayDelivery.RelayAddress), Address.Local("phone"), Address.Local("app")), Route.Of(Address.Local("app")), new byte[] { (byte)i }));
        }

        await Eventually.TrueAsync(async () => (await relay.GetStatusAsync()).Queued == messages);
        var took = clock.Elapsed;

        // 20 past the burst of 5, at 10 a second: no sooner than 2 s (the request rate, 20 a second after 10, would
        // have taken 0.75 s). One channel waits one turn at a time, well within the patience: none is dropped.
        var paced = TimeSpan.FromSeconds((double)(messages - StoredRelayedBurst) / StoredRelayedPerSecond);
        Assert.True(took >= 0.9 * paced, $"{messages} stored relayed messages taken in {took.TotalSeconds:F2} s");
    }

    /// <summary>Channels wait one message each: three at once of one identity make a wait past the patience, and those are refused.</summary>
    [Fact]
    public async Task An_identity_waiting_on_more_channels_than_its_patience_covers_is_told_to_slow_down()
    {
        await using var flooder = await Edge.CreateAsync(silo);
        var channels = new List<ApiClient>();
        for (var i = 0; i < 3; i++)
        {
            channels.Add((await flooder.OpenAsync("secure")).Api);
        }

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => channels[i % 3].CallAsync(new GetAuthorityRequest())));

        Assert.Contains(answers, a => a.Status == ApiStatus.TooManyRequests);
        Assert.All(answers.Where(a => a.Status != ApiStatus.Ok), a => Assert.Equal(ApiStatus.TooManyRequests, a.Status));
        Assert.InRange(answers.Count(a => a.Status == ApiStatus.Ok), Burst, answers.Length - 1);
    }

    /// <summary>Past its burst, an identity's handshakes wait their turns (checked once it has proved who it is); each channel still opens.</summary>
    [Fact]
    public async Task An_identity_opening_channel_after_channel_is_paced()
    {
        var refusals = new ConcurrentQueue<HandshakeError>();
        silo.Gateway.HandshakeFailed += (_, e) => refusals.Enqueue(e.Error);
        await using var flooder = await Edge.CreateAsync(silo);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 14; i++)
        {
            var (channel, api) = await flooder.OpenAsync("secure");
            Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new GetAuthorityRequest())).Status);
            await channel.CloseAsync();
        }

        var took = clock.Elapsed;

        // One at a time, each waits at most one interval (100 ms), within the patience: none is refused.
        Assert.Empty(refusals);

        // 13 past the burst of 1, at 10 a second: no sooner than 1.3 s (a lower bound, which only the pacing sets).
        Assert.True(took >= 0.9 * TimeSpan.FromSeconds((14.0 - HandshakeBurst) / HandshakesPerSecond), $"14 channels opened in {took.TotalSeconds:F2} s");
    }

    /// <summary>Handshakes of one identity at once, past its burst, that would wait longer than the patience: refused, and said why.</summary>
    [Fact]
    public async Task Handshakes_of_one_identity_that_would_wait_past_the_patience_are_refused_as_too_frequent()
    {
        var refusals = new ConcurrentQueue<HandshakeError>();
        silo.Gateway.HandshakeFailed += (_, e) => refusals.Enqueue(e.Error);
        await using var flooder = await Edge.CreateAsync(silo);
        await using var sameIdentity = flooder.OverAnotherConnection();

        // A first channel takes the burst. The next three arrive together over another connection (at most three on one;
        // the silo may not yet have counted a closed channel out of its connection, so it is kept open on its own): each
        // waits 100 ms longer than the one before, so at least the last is past the patience.
        await flooder.OpenAsync("secure");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
        {
            try
            {
                var (_, api) = await sameIdentity.OpenAsync("secure");
                return (await api.CallAsync(new GetAuthorityRequest())).Status.ToString();
            }
            catch (HandshakeException e)
            {
                // The responder refuses after message 3, so it never confirms: the initiator's handshake times out.
                return e.Error.ToString();
            }
        }));

        Assert.Contains(HandshakeError.TooFrequent, refusals);
        Assert.Equal(refusals.Count(r => r == HandshakeError.TooFrequent), outcomes.Count(o => o == nameof(HandshakeError.TimedOut)));
        Assert.Equal(3 - refusals.Count, outcomes.Count(o => o == nameof(ApiStatus.Ok)));
    }

    private static TimeSpan PacedFor(int requests) => TimeSpan.FromSeconds((requests - Burst) / RequestsPerSecond);

    [Fact]
    public async Task One_connection_carries_a_bounded_number_of_channels_and_others_still_connect()
    {
        await using var flooder = await Edge.CreateAsync(silo);
        var refused = 0;
        var opened = 0;
        for (var i = 0; i < 5; i++)
        {
            try
            {
                // Nested over the same TCP connection: each a full handshake to "secure".
                await flooder.OpenAsync("secure");
                opened++;
            }
            catch (HandshakeException e) when (e.Error == HandshakeError.TimedOut)
            {
                refused++;
            }
        }

        Assert.Equal((3, 2), (opened, refused));
        await using var other = await Edge.CreateAsync(silo);
        var (_, api) = await other.OpenAsync("secure");
        Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new GetAuthorityRequest())).Status);
    }
}
