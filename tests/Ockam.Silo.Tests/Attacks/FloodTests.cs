using Microsoft.Extensions.DependencyInjection;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Silo.Gateway;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests.Attacks;

/// <summary>One peer's flood costs that peer: channels per connection and requests per identity are bounded.</summary>
public sealed class FloodTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private RunningSilo silo = null!;

    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(data.Path, services: s => s.Configure<EdgeGatewayOptions>(o =>
        {
            o.RequestsPerSecond = 5;
            o.RequestBurst = 10;
            o.MaxChannelsPerConnection = 3;
            o.HandshakeTimeout = TimeSpan.FromSeconds(2);
        }));

    public async Task DisposeAsync()
    {
        await silo.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task A_channel_sending_faster_than_its_rate_is_told_to_slow_down_and_another_channel_is_not()
    {
        await using var flooder = await Edge.CreateAsync(silo);
        await using var bystander = await Edge.CreateAsync(silo);
        var (_, flooding) = await flooder.OpenAsync("secure");
        var (_, calm) = await bystander.OpenAsync("secure");

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => flooding.CallAsync(new GetAuthorityRequest())));
        var calmAnswers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => calm.CallAsync(new GetAuthorityRequest())));

        Assert.InRange(answers.Count(a => a.Status == ApiStatus.Ok), 10, 15);
        Assert.All(answers.Where(a => a.Status != ApiStatus.Ok), a => Assert.Equal(ApiStatus.TooManyRequests, a.Status));
        Assert.All(calmAnswers, a => Assert.Equal(ApiStatus.Ok, a.Status));
    }

    /// <summary>The bucket is the identity's: more channels buy a flooding peer no more.</summary>
    [Fact]
    public async Task An_identity_flooding_over_several_channels_shares_one_rate()
    {
        await using var flooder = await Edge.CreateAsync(silo);
        var (_, one) = await flooder.OpenAsync("secure");
        var (_, two) = await flooder.OpenAsync("secure");

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? one : two).CallAsync(new GetAuthorityRequest())));

        Assert.InRange(answers.Count(a => a.Status == ApiStatus.Ok), 10, 15);
        Assert.All(answers.Where(a => a.Status != ApiStatus.Ok), a => Assert.Equal(ApiStatus.TooManyRequests, a.Status));
    }

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
