using Ockam.Grains.Contracts;

namespace Ockam.Grains.Mail;

/// <summary>One page of a mailbox, in delivery order; <paramref name="More"/> when the page stopped at its bounds rather than at the end.</summary>
internal sealed record MailPage(IReadOnlyList<RelayedMessage> Messages, bool More);
