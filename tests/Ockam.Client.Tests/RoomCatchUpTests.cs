using System.Text;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;

namespace Ockam.Client.Tests;

/// <summary>
/// Catching up is paged: a room holding far more than one frame (256 KiB) reaches a member that was away, every
/// message in order, over several answers. Fails if the grain answers everything at once (the answer would not fit).
/// </summary>
public sealed class RoomCatchUpTests : IAsyncLifetime
{
    private const int Messages = 40;
    private const int MessageSize = 60 * 1024;
    private Fleet fleet = null!;

    public async Task InitializeAsync() => fleet = await Fleet.StartAsync();

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    [Fact]
    public async Task A_member_away_for_more_than_a_frame_of_messages_catches_up_every_one_in_order_over_several_pages()
    {
        var alice = await NodeAsync("alice");
        var bob = await NodeAsync("bob");
        var (a, b) = (await alice.RoomsAsync(), await bob.RoomsAsync());

        // Bob is invited without listening: he hears of nothing until he enters the room (joins, then catches up).
        await a.CreateAsync("archive", "alice");
        await a.InviteAsync(GroupId.Room("archive"), bob.Identifier);
        for (var i = 0; i < Messages; i++)
        {
            await a.SendAsync(GroupId.Room("archive"), Payload(i));
        }

        // 40 × 60 KiB: one answer of everything would be ~2.4 MiB, nine frames' worth.
        await b.EnterAsync(GroupId.Room("archive"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 0; i < Messages; i++)
        {
            var message = await b.ReceiveAsync(timeout.Token);
            Assert.Equal(alice.Identifier, message.Sender);
            Assert.True(message.Payload.Span.SequenceEqual(Payload(i)), $"message {i} out of order or damaged");
        }

        Assert.Equal(1UL, b.Epoch(GroupId.Room("archive")));

        // It came in pages that each fit in an answer.
        var first = await fleet.Silo.Grains.GetDeliveryService(GroupId.Room("archive")).ReadAsync(bob.Identifier.ToString(), 0);
        Assert.True(first.More);
        Assert.InRange(first.Entries.Sum(e => e.Bytes.Length), 1, 128 * 1024);
    }

    /// <summary>60 KiB whose first bytes say which message it is.</summary>
    private static byte[] Payload(int i)
    {
        var payload = new byte[MessageSize];
        payload.AsSpan().Fill((byte)i);
        Encoding.ASCII.GetBytes($"message {i:D3}").CopyTo(payload, 0);
        return payload;
    }

    private Task<EdgeNode> NodeAsync(string name) => fleet.MemberAsync(name, [("ockam.role", "member"), ("ockam.relay", name)]);
}
