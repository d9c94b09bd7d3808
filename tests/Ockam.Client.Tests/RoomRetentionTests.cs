using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Grains.Groups;
using Ockam.Messaging.Api;

namespace Ockam.Client.Tests;

/// <summary>A room's log is bounded in bytes as well as in messages: the oldest go first. Fails without the byte bound.</summary>
public sealed class RoomRetentionTests : IAsyncLifetime
{
    private const int RetentionBytes = 300 * 1024;
    private const int Messages = 10;
    private Fleet fleet = null!;

    public async Task InitializeAsync() =>
        fleet = await Fleet.StartAsync(s => s.AddSingleton(Options.Create(new DeliveryServiceOptions { RetentionBytes = RetentionBytes })));

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    [Fact]
    public async Task Retention_drops_the_oldest_messages_once_the_room_holds_more_bytes_than_its_bound()
    {
        var alice = await NodeAsync("alice");
        var bob = await NodeAsync("bob");
        var (a, b) = (await alice.RoomsAsync(), await bob.RoomsAsync());
        await a.CreateAsync("ward", "alice");
        await a.InviteAsync(GroupId.Room("ward"), bob.Identifier);

        // Ten messages of 60 KiB: 600 KiB sent, far under the count bound (1 000), twice the byte bound.
        for (var i = 0; i < Messages; i++)
        {
            await a.SendAsync(GroupId.Room("ward"), Encoding.UTF8.GetBytes($"{i:D2}" + new string('x', 60 * 1024)));
        }

        var log = await AllAsync(bob.Identifier.ToString());
        var kept = log.Sum(e => (long)e.Bytes.Length);
        Assert.InRange(kept, RetentionBytes - log.Max(e => e.Bytes.Length) + 1, RetentionBytes);
        var messages = log.Where(e => e.Kind == LogEntryKind.Message).ToList();
        Assert.Equal(log.Select(e => e.Index), Enumerable.Range((int)log[0].Index, log.Count).Select(i => (ulong)i));
        Assert.InRange(messages.Count, 2, Messages / 2);

        // Bob, joining and catching up, gets the newest messages, in order: the oldest are gone.
        await b.EnterAsync(GroupId.Room("ward"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = Messages - messages.Count; i < Messages; i++)
        {
            Assert.StartsWith($"{i:D2}", Encoding.UTF8.GetString((await b.ReceiveAsync(timeout.Token)).Payload.Span), StringComparison.Ordinal);
        }
    }

    /// <summary>Every page of the room's log, as the gateway would fetch them.</summary>
    private async Task<List<LogEntry>> AllAsync(string member)
    {
        var room = fleet.Silo.Grains.GetDeliveryService(GroupId.Room("ward"));
        var entries = new List<LogEntry>();
        LogPage page;
        do
        {
            page = await room.ReadAsync(member, entries.Count > 0 ? entries[^1].Index : 0);
            entries.AddRange(page.Entries);
        }
        while (page.More);

        return entries;
    }

    private Task<EdgeNode> NodeAsync(string name) => fleet.MemberAsync(name, [("ockam.role", "member"), ("ockam.relay", name)]);
}
