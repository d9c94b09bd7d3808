using Ockam.Grains.Contracts;

namespace Ockam.Grains.Mail;

/// <summary>
/// A place in a mailbox's delivery order: priority first (higher first), then sequence (arrival). Reading resumes after one.
/// </summary>
/// <param name="Priority">Wider than a byte, so that <see cref="Start"/> comes before every stored priority.</param>
/// <param name="Sequence">The message's sequence in its relay.</param>
internal readonly record struct MailPosition(int Priority, ulong Sequence)
{
    /// <summary>Before every message.</summary>
    public static MailPosition Start => new(byte.MaxValue + 1, 0);

    public static MailPosition Of(RelayedMessage message) => new(message.Priority, message.Sequence);

    /// <summary>Just before <paramref name="message"/>: reading after it reads the message again (stored sequences count from 1).</summary>
    public static MailPosition Before(RelayedMessage message) => new(message.Priority, message.Sequence - 1);

    /// <summary>Whether this position is delivered before <paramref name="other"/>.</summary>
    public bool Precedes(MailPosition other) => Priority > other.Priority || (Priority == other.Priority && Sequence < other.Sequence);
}
