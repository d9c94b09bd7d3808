namespace Ockam.Grains.Mail;

/// <summary>Messages in a mailbox (or removed from it) and the bytes of their envelopes: a mailbox is bounded in both.</summary>
internal readonly record struct MailboxSize(int Count, long Bytes)
{
    public static MailboxSize Empty => default;
}
