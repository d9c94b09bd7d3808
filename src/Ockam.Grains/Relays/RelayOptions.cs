namespace Ockam.Grains.Relays;

public sealed record RelayOptions
{
    /// <summary>Messages a relay's mailbox holds; beyond it, senders are refused (DESIGN §12).</summary>
    public int MailboxCapacity { get; init; } = 10_000;

    /// <summary>Bytes of envelopes a relay's mailbox holds; beyond it, senders are refused, however few the messages.</summary>
    public long MailboxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Stored messages pushed to the owner and not yet acknowledged, at most: the rest waits for acknowledgements.</summary>
    public int DeliveryWindow { get; init; } = 1024;

    /// <summary>Bytes of envelopes pushed and not yet acknowledged, at most (one page may pass it).</summary>
    public int DeliveryWindowBytes { get; init; } = 1024 * 1024;

    /// <summary>Messages read from the store (and pushed) at once.</summary>
    public int PageCount { get; init; } = 256;

    /// <summary>Bytes of envelopes read from the store (and pushed) at once; a larger single message is read alone.</summary>
    public int PageBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// How long a pushed message waits for its acknowledgement, while the owner stays connected, before everything
    /// unacknowledged is pushed again (a window at most, once per this period at most): a lost push or a lost
    /// acknowledgement would otherwise hold the window closed until the owner reconnects.
    /// </summary>
    public TimeSpan RedeliveryTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
