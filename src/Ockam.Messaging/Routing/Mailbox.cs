namespace Ockam.Messaging.Routing;

/// <summary>
/// One bounded queue of a worker's messages, and the senders waiting for room in it: at most <paramref name="capacity"/>
/// messages and <paramref name="capacityBytes"/> bytes (<see cref="SizeOf"/>), so that a peer that stops reading while
/// large messages are sent its way (its own relay's, pushed back at it) holds megabytes of the node's memory, not a
/// thousand frames of 256 KiB. One message alone is taken whatever its size, so none waits for good. An empty mailbox
/// holds nothing: no array, no task, no pending read (a gateway keeps thousands of idle channels, each with two
/// mailboxes, and a connection with one). Not thread-safe: the worker's registration calls it under its lock.
/// </summary>
internal sealed class Mailbox(int capacity, long capacityBytes)
{
    /// <summary>What a message is counted for beyond its payload: its routes (at most 16 hops each) and its slot, roughly.</summary>
    private const int PerMessage = 256;

    private Queue<Message>? messages;
    private List<TaskCompletionSource>? waiting;
    private long bytes;

    /// <summary>Whether a loop is handing this mailbox's messages to its worker: at most one is, so that they stay in order.</summary>
    public bool Draining { get; set; }

    /// <summary>Adds <paramref name="message"/>; when the mailbox is full, returns instead a task that completes when there may be room.</summary>
    public Task? TryAdd(Message message)
    {
        var count = messages?.Count ?? 0;
        var size = SizeOf(message);
        if (count == 0 || (count < capacity && bytes + size <= capacityBytes))
        {
            (messages ??= new Queue<Message>()).Enqueue(message);
            bytes += size;
            return null;
        }

        var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (waiting ??= []).Add(room);
        return room.Task;
    }

    /// <summary>A sender that gave up waiting (cancelled) is forgotten, so that senders that keep giving up cannot grow the list.</summary>
    public void Forget(Task room) => waiting?.RemoveAll(w => w.Task == room);

    /// <summary>
    /// Moves up to <paramref name="max"/> messages, oldest first, into <paramref name="batch"/>, and wakes the waiting
    /// senders. A batch is part of what the mailbox held, so it is within the same bounds while its worker handles it.
    /// </summary>
    public void Take(List<Message> batch, int max)
    {
        while (batch.Count < max && messages is { Count: > 0 })
        {
            var message = messages.Dequeue();
            bytes -= SizeOf(message);
            batch.Add(message);
        }

        if (messages is { Count: 0 })
        {
            // An idle mailbox lets its queue go; a burst allocates a small one again.
            messages = null;
        }

        WakeAll();
    }

    /// <summary>Drops every message (the worker stopped) and wakes the waiting senders, who then find it stopped.</summary>
    public void Clear()
    {
        messages = null;
        bytes = 0;
        WakeAll();
    }

    /// <summary>What <paramref name="message"/> counts for against the mailbox's bytes.</summary>
    private static long SizeOf(Message message) => message.Payload.Length + PerMessage;

    /// <summary>Every waiting sender tries again: whoever finds no room waits anew, and one that gave up leaves no sender without its turn.</summary>
    private void WakeAll()
    {
        if (waiting is null)
        {
            return;
        }

        foreach (var room in waiting)
        {
            room.TrySetResult();
        }

        waiting = null;
    }
}
