namespace Ockam.Grains.Relays;

public sealed record RelayOptions
{
    /// <summary>Messages a relay's mailbox holds; beyond it, senders are refused (DESIGN §12).</summary>
    public int MailboxCapacity { get; init; } = 10_000;
}
