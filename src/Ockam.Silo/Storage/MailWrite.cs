using Ockam.Grains.Contracts;
using Ockam.Grains.Mail;

namespace Ockam.Silo.Storage;

/// <summary>
/// One caller's change to a mailbox, waiting for the writer: a message to store, or sequences to delete. Its task
/// completes (with what was deleted) once the transaction that holds it has committed.
/// </summary>
internal sealed class MailWrite
{
    private readonly TaskCompletionSource<MailboxSize> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MailWrite(string relay, RelayedMessage? append, IReadOnlyCollection<ulong> delete)
    {
        Relay = relay;
        Append = append;
        Delete = delete;
    }

    public string Relay { get; }

    public RelayedMessage? Append { get; }

    public IReadOnlyCollection<ulong> Delete { get; }

    /// <summary>What the write adds to a batch, for the batch's bound in bytes.</summary>
    public int Bytes => Append?.Envelope.Length ?? Delete.Count * sizeof(ulong);

    /// <summary>What was deleted, as the transaction found it.</summary>
    public MailboxSize Deleted { get; set; }

    public Task<MailboxSize> Done => done.Task;

    public static MailWrite Appending(string relay, RelayedMessage message) => new(relay, message, []);

    public static MailWrite Deleting(string relay, IReadOnlyCollection<ulong> sequences) => new(relay, null, sequences);

    public void Complete() => done.TrySetResult(Deleted);

    public void Fail(Exception exception) => done.TrySetException(exception);
}
