using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Tests.Routing;

/// <summary>A worker's mailbox: bounded in messages and in bytes, in order, and a sender that gives up waiting leaves nothing behind.</summary>
public sealed class MailboxTests
{
    private static Message Numbered(byte n) => new(Route.Of(Address.Local("w")), Route.Empty, new[] { n });

    [Fact]
    public void A_full_mailbox_makes_the_sender_wait_until_messages_are_taken_and_hands_them_over_in_order()
    {
        var mailbox = new Mailbox(capacity: 2, capacityBytes: 1 << 20);
        Assert.Null(mailbox.TryAdd(Numbered(1)));
        Assert.Null(mailbox.TryAdd(Numbered(2)));
        var room = mailbox.TryAdd(Numbered(3));
        Assert.NotNull(room);
        Assert.False(room.IsCompleted);

        var batch = new List<Message>();
        mailbox.Take(batch, max: 1);
        Assert.True(room.IsCompleted);
        Assert.Null(mailbox.TryAdd(Numbered(3)));
        mailbox.Take(batch, max: 64);
        Assert.Equal([1, 2, 3], batch.Select(m => m.Payload.Span[0]));
    }

    [Fact]
    public void A_sender_that_gave_up_is_forgotten_and_one_still_waiting_is_woken()
    {
        var mailbox = new Mailbox(capacity: 1, capacityBytes: 1 << 20);
        Assert.Null(mailbox.TryAdd(Numbered(1)));
        var gaveUp = mailbox.TryAdd(Numbered(2))!;
        var waiting = mailbox.TryAdd(Numbered(3))!;
        mailbox.Forget(gaveUp);

        mailbox.Take([], max: 1);
        Assert.False(gaveUp.IsCompleted); // no longer held: senders that keep giving up cannot grow the list
        Assert.True(waiting.IsCompleted);
    }

    [Fact]
    public void A_cleared_mailbox_drops_its_messages_and_wakes_its_senders()
    {
        var mailbox = new Mailbox(capacity: 1, capacityBytes: 1 << 20);
        Assert.Null(mailbox.TryAdd(Numbered(1)));
        var waiting = mailbox.TryAdd(Numbered(2))!;
        mailbox.Clear();
        Assert.True(waiting.IsCompleted);
        var batch = new List<Message>();
        mailbox.Take(batch, max: 64);
        Assert.Empty(batch);
    }

    /// <summary>
    /// Large messages fill a mailbox by their bytes long before its count: a peer that stops reading while its own
    /// relay's 256 KiB messages are pushed back at it would otherwise hold a thousand of them per mailbox. One message
    /// alone always passes. Fails if the bound were in messages only.
    /// </summary>
    [Fact]
    public void Large_messages_fill_a_mailbox_by_their_bytes_and_one_alone_always_passes()
    {
        static Message Sized(byte n, int size)
        {
            var payload = new byte[size];
            payload[0] = n;
            return new Message(Route.Of(Address.Local("w")), Route.Empty, payload);
        }

        var mailbox = new Mailbox(capacity: 1024, capacityBytes: 1 << 20);
        Assert.Null(mailbox.TryAdd(Sized(1, 400_000)));
        Assert.Null(mailbox.TryAdd(Sized(2, 400_000)));
        var room = mailbox.TryAdd(Sized(3, 400_000));
        Assert.NotNull(room);
        Assert.False(room.IsCompleted);

        var batch = new List<Message>();
        mailbox.Take(batch, max: 64);
        Assert.Equal([1, 2], batch.Select(m => m.Payload.Span[0]));
        Assert.True(room.IsCompleted);

        // Larger than the whole bound: taken when the mailbox is empty, and then it is full.
        Assert.Null(mailbox.TryAdd(Sized(4, 2 << 20)));
        Assert.NotNull(mailbox.TryAdd(Sized(5, 1)));
        batch.Clear();
        mailbox.Take(batch, max: 64);
        Assert.Equal([4], batch.Select(m => m.Payload.Span[0]));
    }
}
