namespace Ockam.Messaging.Routing;

/// <summary>
/// One bounded queue of a worker's messages, and the senders waiting for room in it. An empty mailbox holds nothing:
/// no array, no task, no pending read (a gateway keeps thousands of idle channels, each with two mailboxes, and a
/// connection with one). Not thread-safe: the worker's registration calls it under its lock.
/// </summary>
internal sealed class Mailbox(int capacity)
{
    private Queue<Message>? messages;
    private List<TaskCompletionSource>? waiting;

    /// <summary>Whether a loop is handing this mailbox's messages to its worker: at most one is, so that they stay in order.</summary>
    public bool Draining { get; set; }

    /// <summary>Adds <paramref name="message"/>; when the mailbox is full, returns instead a task that completes when there may be room.</summary>
    public Task? TryAdd(Message message)
    {
        if ((messages?.Count ?? 0) < capacity)
        {
            (messages ??= new Queue<Message>()).Enqueue(message);
            return null;
        }

        var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (waiting ??= []).Add(room);
        return room.Task;
    }

    /// <summary>A sender that gave up waiting (cancelled) is forgotten, so that senders that keep giving up cannot grow the list.</summary>
    public void Forget(Task room) => waiting?.RemoveAll(w => w.Task == room);

    /// <summary>Moves up to <paramref name="max"/> messages, oldest first, into <paramref name="batch"/>, and wakes the waiting senders.</summary>
    public void Take(List<Message> batch, int max)
    {
        while (batch.Count < max && messages is { Count: > 0 })
        {
            batch.Add(messages.Dequeue());
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
        WakeAll();
    }

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
