using Ockam.Grains.Contracts;

namespace Ockam.Grains.Mail;

/// <summary>
/// Where durable relays keep their mailboxes: one row per message, keyed by (relay, sequence), read in delivery order
/// (priority first, then sequence), deleted when acknowledged. A relay's grain keeps only its counters, so neither
/// storing nor acknowledging a message costs more as the mailbox fills.
/// </summary>
/// <remarks>
/// Writes are group-committed: a task completes once its change is durable (in one transaction with whatever other
/// relays wrote meanwhile), so a relay acknowledges a message to its sender only once it would survive a crash.
/// </remarks>
internal interface IMailStore
{
    /// <summary>Stores <paramref name="messages"/> (distinct sequences) in <paramref name="relay"/>'s mailbox, all in one transaction; completes once they are durable.</summary>
    Task AppendAsync(string relay, IReadOnlyList<RelayedMessage> messages, CancellationToken cancellationToken);

    /// <summary>Deletes the messages <paramref name="sequences"/> (distinct) of <paramref name="relay"/>; returns what was there to delete.</summary>
    Task<MailboxSize> DeleteAsync(string relay, IReadOnlyCollection<ulong> sequences, CancellationToken cancellationToken);

    /// <summary>
    /// The messages that come after <paramref name="after"/> in delivery order: at most <paramref name="maxCount"/>, and no more
    /// than <paramref name="maxBytes"/> of envelopes (but always one, if there is one).
    /// </summary>
    Task<MailPage> ReadAsync(string relay, MailPosition after, int maxCount, int maxBytes, CancellationToken cancellationToken);

    /// <summary>How many messages <paramref name="relay"/>'s mailbox holds, and their envelopes' bytes.</summary>
    Task<MailboxSize> MeasureAsync(string relay, CancellationToken cancellationToken);
}
