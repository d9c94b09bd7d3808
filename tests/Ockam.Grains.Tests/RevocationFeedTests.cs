using Ockam.Grains.Contracts;

namespace Ockam.Grains.Tests;

/// <summary>The feed's notice reaches every gateway however many others fail to answer.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class RevocationFeedTests(ClusterFixture fixture)
{
    /// <summary>
    /// Three gateways that never answer (their silos died, and the cluster has not declared it yet) and one live one:
    /// the live one has the notice at once, and the publication is done once the silo's clock passes one response
    /// timeout (5 s), not three. Fails if the feed notifies one gateway after another, each waiting its timeout out,
    /// which holds revoked members' channels open on the gateways after them.
    /// </summary>
    [Fact]
    public async Task A_notice_reaches_a_live_gateway_at_once_while_dead_ones_hold_it_for_one_timeout()
    {
        var feed = fixture.Grains.GetGrain<IRevocationFeedGrain>(Guid.NewGuid().ToString("n"));
        var dead = Enumerable.Range(0, 3).Select(_ => new Gateway(answers: false)).ToList();
        foreach (var gateway in dead)
        {
            await feed.SubscribeAsync(fixture.Grains.CreateObjectReference<IRevocationObserver>(gateway));
        }

        var live = new Gateway(answers: true);
        await feed.SubscribeAsync(fixture.Grains.CreateObjectReference<IRevocationObserver>(live));

        var notice = new RevocationNotice([1, 2, 3], ["revoked-member"]);
        var publishing = feed.PublishAsync(notice);
        Assert.Equal(["revoked-member"], (await live.Received.Task.WaitAsync(TimeSpan.FromSeconds(10))).Subjects);
        await Task.WhenAll(dead.Select(d => d.Received.Task.WaitAsync(TimeSpan.FromSeconds(10))));

        // One response timeout on the silo's clock; Orleans looks for expired calls once a real second.
        fixture.Time.Advance(TimeSpan.FromSeconds(6));
        await publishing.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A gateway's observer that takes the notice and, unless it <paramref name="answers"/>, never returns.</summary>
    private sealed class Gateway(bool answers) : IRevocationObserver
    {
        public TaskCompletionSource<RevocationNotice> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task RevokedAsync(RevocationNotice notice)
        {
            Received.TrySetResult(notice);
            return answers ? Task.CompletedTask : new TaskCompletionSource().Task;
        }
    }
}
