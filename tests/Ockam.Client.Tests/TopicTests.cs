using System.Text;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Client.Tests;

/// <summary>A topic: who may subscribe and publish is an ABAC policy over credentials; the service fans out ciphertext.</summary>
public sealed class TopicTests : IAsyncLifetime
{
    private const string Topic = "heart-rate";
    private Fleet fleet = null!;

    public async Task InitializeAsync() => fleet = await Fleet.StartAsync();

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    [Fact]
    public async Task Fifty_subscribers_get_every_publication_in_order_one_by_catching_up_a_visitor_is_refused_and_the_name_cannot_be_squatted()
    {
        // Creating a topic takes an ockam.topic attribute naming it (or "*"): a member without one, or with another
        // topic's, cannot squat the fleet's name before its publisher.
        foreach (var (name, topic) in new[] { ("squatter", null), ("neighbour", "blood-pressure") })
        {
            var squatter = await NodeAsync(name, "publisher", relay: true, topic);
            var squatting = await squatter.RoomsAsync();
            var refused = await Assert.ThrowsAsync<EdgeException>(() => squatting.CreateTopicAsync(Topic, name, "true", "true"));
            Assert.Equal(ApiStatus.Denied, refused.Status);
        }

        Assert.False((await fleet.Silo.Grains.GetDeliveryService(GroupId.Topic(Topic)).GetInfoAsync()).Exists);
        var publisher = await NodeAsync("publisher", "publisher", relay: true, Topic);
        var publishing = await publisher.RoomsAsync();
        await publishing.CreateTopicAsync(Topic, "publisher", "(= subject.ockam.role \"subscriber\")", "(= subject.ockam.role \"publisher\")");

        // 49 subscribers listen on their relays; the 50th subscribes without one and will catch up later.
        var subscribers = new List<(EdgeNode Node, RoomClient Rooms)>();
        foreach (var batch in Enumerable.Range(0, 50).Chunk(10))
        {
            subscribers.AddRange(await Task.WhenAll(batch.Select(async i =>
            {
                var node = await NodeAsync($"subscriber-{i}", "subscriber", relay: i < 49);
                var rooms = await node.RoomsAsync();
                await rooms.SubscribeAsync(Topic, i < 49 ? $"subscriber-{i}" : null);
                return (node, rooms);
            })));
        }

        var visitor = await NodeAsync("visitor", "visitor", relay: false);
        Assert.Equal(ApiStatus.Denied, (await Assert.ThrowsAsync<EdgeException>(() => visitor.RoomsAsync().ContinueWith(t => t.Result.SubscribeAsync(Topic, null)).Unwrap())).Status);

        Assert.Equal(50, await publishing.AdmitPendingAsync(Topic));
        var online = subscribers.Take(49).ToList();
        await Eventually.TrueAsync(() => online.All(s => Epoch(s.Rooms) == 1), TimeSpan.FromSeconds(60));

        for (var i = 1; i <= 20; i++)
        {
            await publishing.SendAsync(GroupId.Topic(Topic), Encoding.UTF8.GetBytes($"bpm n={i}"));
        }

        await Task.WhenAll(online.Select(async s =>
        {
            for (var i = 1; i <= 20; i++)
            {
                var message = await ReceiveAsync(s.Rooms);
                Assert.Equal(publisher.Identifier, message.Sender);
                Assert.Equal($"bpm n={i}", Encoding.UTF8.GetString(message.Payload.Span));
            }
        }));

        // The one that was away catches up from the topic's retention, in order.
        var (late, lateRooms) = subscribers[^1];
        await lateRooms.EnterAsync(GroupId.Topic(Topic));
        for (var i = 1; i <= 20; i++)
        {
            Assert.Equal($"bpm n={i}", Encoding.UTF8.GetString((await ReceiveAsync(lateRooms)).Payload.Span));
        }

        // Subscribers may not publish; the topic's log holds the admission commit and the 20 publications.
        Assert.Equal(ApiStatus.Denied, (await Assert.ThrowsAsync<EdgeException>(() => online[0].Rooms.SendAsync(GroupId.Topic(Topic), "spam"u8.ToArray()))).Status);
        var info = await fleet.Silo.Grains.GetDeliveryService(GroupId.Topic(Topic)).GetInfoAsync();
        Assert.Equal((51, 21UL), (info.Members.Length, info.MessagesLogged));
        Assert.Empty(info.Pending);
        Assert.NotNull(late);
    }

    [Fact]
    public async Task A_subscriber_admitted_while_its_connection_was_away_joins_when_it_reconnects()
    {
        var publisher = await NodeAsync("publisher", "publisher", relay: true, Topic);
        var publishing = await publisher.RoomsAsync();
        await publishing.CreateTopicAsync(Topic, "publisher", "(= subject.ockam.role \"subscriber\")", "(= subject.ockam.role \"publisher\")");
        var subscriber = await NodeAsync("subscriber", "subscriber", relay: false);
        var rooms = await subscriber.RoomsAsync();

        // Through its connection: the Welcome pushed while it is away goes with the connection.
        await rooms.SubscribeAsync(Topic, null);
        await subscriber.GoOfflineAsync();
        Assert.Equal(1, await publishing.AdmitPendingAsync(Topic));
        Assert.Equal(0UL, Epoch(rooms));

        // Naming its new connection, it joins from the Welcome the topic kept, and reads on live.
        await subscriber.ReconnectAsync();
        Assert.Equal(1UL, Epoch(rooms));
        await publishing.SendAsync(GroupId.Topic(Topic), "bpm n=1"u8.ToArray());
        Assert.Equal("bpm n=1", Encoding.UTF8.GetString((await ReceiveAsync(rooms)).Payload.Span));
    }

    /// <summary>
    /// Mallory subscribes, then claims her own KeyPackages until none is left (and never publishes more). The admin's
    /// admission skips her, leaving her pending, and admits Bob; the publication that follows reaches him. Fails if one
    /// subscriber without KeyPackages made every admission, and so every `ockam topic publish`, fail for good.
    /// </summary>
    [Fact]
    public async Task A_subscriber_without_key_packages_stays_pending_and_stops_no_one_else()
    {
        var publisher = await NodeAsync("publisher", "publisher", relay: true, Topic);
        var publishing = await publisher.RoomsAsync();
        await publishing.CreateTopicAsync(Topic, "publisher", "(= subject.ockam.role \"subscriber\")", "(= subject.ockam.role \"publisher\")");

        // Only enrolled (2 KeyPackages published), she subscribes through the API and claims both herself.
        IEdgeApi mallory = await NodeAsync("mallory", "subscriber", relay: false);
        var malloryId = ((EdgeNode)mallory).Identifier;
        await mallory.CallAsync(new SubscribeTopicRequest(Topic, null), CancellationToken.None);
        await mallory.CallAsync(new ClaimKeyPackageRequest(malloryId.ToString()), CancellationToken.None);
        await mallory.CallAsync(new ClaimKeyPackageRequest(malloryId.ToString()), CancellationToken.None);
        Assert.Equal(ApiStatus.NotAMember, (await Assert.ThrowsAsync<EdgeException>(() => mallory.CallAsync(new ClaimKeyPackageRequest(malloryId.ToString()), CancellationToken.None))).Status);

        var bob = await NodeAsync("bob", "subscriber", relay: true);
        var bobs = await bob.RoomsAsync();
        await bobs.SubscribeAsync(Topic, "bob");
        Assert.Equal(1, await publishing.AdmitPendingAsync(Topic));
        await Eventually.TrueAsync(() => Epoch(bobs) == 1, TimeSpan.FromSeconds(60));
        await publishing.SendAsync(GroupId.Topic(Topic), "bpm n=1"u8.ToArray());
        Assert.Equal("bpm n=1", Encoding.UTF8.GetString((await ReceiveAsync(bobs)).Payload.Span));
        Assert.Equal([malloryId.ToString()], (await fleet.Silo.Grains.GetDeliveryService(GroupId.Topic(Topic)).GetInfoAsync()).Pending);
    }

    private Task<EdgeNode> NodeAsync(string name, string role, bool relay, string? topic = null)
    {
        List<(string Name, string Value)> attributes = [("ockam.role", role)];
        if (topic is not null)
        {
            attributes.Add(("ockam.topic", topic));
        }

        if (relay)
        {
            attributes.Add(("ockam.relay", name));
        }

        return fleet.MemberAsync(name, attributes, relay);
    }

    private static ulong Epoch(RoomClient rooms)
    {
        try
        {
            return rooms.Epoch(GroupId.Topic(Topic));
        }
        catch (EdgeException)
        {
            return 0;
        }
    }

    private static async Task<RoomMessage> ReceiveAsync(RoomClient rooms)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await rooms.ReceiveAsync(timeout.Token);
    }
}
