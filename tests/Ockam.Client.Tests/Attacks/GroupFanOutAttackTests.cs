using System.Text;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;

namespace Ockam.Client.Tests.Attacks;

/// <summary>
/// A room or topic fans out only to a relay owned by the member it delivers to: a member naming another's relay
/// (or an unclaimed name) when it creates, invites or subscribes is refused, so no room fills a stranger's mailbox.
/// Fails if the group grain's ownership check is removed.
/// </summary>
public sealed class GroupFanOutAttackTests : IAsyncLifetime
{
    private Fleet fleet = null!;

    public async Task InitializeAsync() => fleet = await Fleet.StartAsync();

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    [Fact]
    public async Task A_member_cannot_make_a_room_or_topic_fan_out_to_a_relay_it_does_not_own()
    {
        var mallory = await NodeAsync("mallory", listen: true);
        var bob = await NodeAsync("bob", listen: true);

        // The victim claimed its relay and is offline: anything fanned out to it would wait in its mailbox.
        await NodeAsync("victim", listen: false);
        var victimRelay = fleet.Silo.Grains.GetGrain<IRelayGrain>("victim");
        var before = await victimRelay.GetStatusAsync();
        var (m, b) = (await mallory.RoomsAsync(), await bob.RoomsAsync());

        // Creating a room or a topic with the victim's relay, or a name nobody claimed yet.
        await RefusedAsync(() => m.CreateAsync("flood", "victim"), "victim");
        await RefusedAsync(() => m.CreateAsync("flood", "unclaimed"), "unclaimed");
        await RefusedAsync(() => m.CreateTopicAsync("flood", "victim", "true", "true"), "victim");

        // A member naming the victim's relay (or an unclaimed one) as its own route: an inviter names none at all.
        await m.CreateAsync("flood-invite", "mallory");
        await RefusedAsync(() => m.ListenAsync(GroupId.Room("flood-invite"), "victim"), "victim");
        await RefusedAsync(() => m.ListenAsync(GroupId.Room("flood-invite"), "unclaimed"), "unclaimed");

        // Subscribing to a topic with the victim's relay; a relay of one's own is accepted.
        await m.CreateTopicAsync("flood", "mallory", "true", "true");
        await RefusedAsync(() => b.SubscribeAsync("flood", "victim"), "victim");
        await b.SubscribeAsync("flood", "bob");

        // The room and topic work, through owned relays only; the victim's mailbox never got a thing.
        await m.CreateAsync("flood", "mallory");
        await m.InviteAsync(GroupId.Room("flood"), bob.Identifier);
        await b.ListenAsync(GroupId.Room("flood"), "bob");
        await m.AdmitPendingAsync("flood");
        await b.ListenAsync(GroupId.Topic("flood"), "bob");
        for (var i = 0; i < 5; i++)
        {
            await m.SendAsync(GroupId.Room("flood"), Encoding.UTF8.GetBytes($"flood {i}"));
            await m.SendAsync(GroupId.Topic("flood"), Encoding.UTF8.GetBytes($"topic flood {i}"));
        }

        var received = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (received.Count < 10)
        {
            received.Add(Encoding.UTF8.GetString((await b.ReceiveAsync(timeout.Token)).Payload.Span));
        }

        Assert.Equal(10, received.Distinct().Count());
        var after = await victimRelay.GetStatusAsync();
        Assert.Equal((0, before.NextSequence), (after.Queued, after.NextSequence));
    }

    private static async Task RefusedAsync(Func<Task> attempt, string relay)
    {
        var refused = await Assert.ThrowsAsync<EdgeException>(attempt);
        Assert.Equal(ApiStatus.NotOwner, refused.Status);
        Assert.Contains($"'{relay}'", refused.Message, StringComparison.Ordinal);
    }

    private Task<EdgeNode> NodeAsync(string name, bool listen) =>
        fleet.MemberAsync(name, [("ockam.role", "member"), ("ockam.relay", name), ("ockam.topic", "flood")], listen: listen);
}
