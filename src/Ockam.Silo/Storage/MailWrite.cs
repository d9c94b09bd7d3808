using Ockam.Grains.Contracts;
using Ockam.Grains.Mail;

namespace Ockam.Silo.Storage;

/// <summary>
/// One caller's change to a mailbox, waiting for the writer: messages to store, or sequences to delete. Its task
/// completes (with what was deleted) once the transaction that holds it has committed.
/// </summary>
internal sealed class MailWrite : IGroupCommitWrite
{
    private readonly TaskCompletionSource<MailboxSize> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MailWrite(string relay, IReadOnlyList<RelayedMessage> append, IReadOnlyCollection<ulong> delete)
    {
        Relay = relay;
        Append = append;
        Delete = delete;
    }

    public string Relay { get; }

    /// <summary>Messages to store (none for a deletion).</summary>
    public IReadOnlyList<RelayedMessage> Append { get; }

    public IReadOnlyCollection<ulong> Delete { get; }

    /// <summary>What the write adds to a batch, for the batch's bound in bytes.</summary>
    public long Bytes => Append.Count > 0 ? Append.Sum(m => (long)m.Envelope.Length) : Delete.Count * sizeof(ulong);

    /// <summary>Rows the write touches, for the batch's bound in rows.</summary>
    public int Rows => Append.Count + Delete.Count;

    /// <summary>What was deleted, as the transaction found it.</summary>
    public MailboxSize Deleted { get; set; }

    public Task<MailboxSize> Done => done.Task;

    public static MailWrite Appending(string relay, IReadOnlyList<RelayedMessage> messages) => new(relay, messages, []);

    public static MailWrite Deleting(string relay, IReadOnlyCollection<ulong> sequences) => new(relay, [], sequences);

    public void Complete() => done.TrySetResult(Deleted);

    public void Fail(Exception exception) => done.TrySetException(exception);
}
