namespace Ockam.Messaging.Routing;

/// <summary>Settings of a <see cref="Node"/>.</summary>
public sealed record NodeOptions
{
    /// <summary>Messages a worker's mailbox holds before senders wait (back-pressure, not loss).</summary>
    public int MailboxCapacity { get; init; } = 1024;

    /// <summary>
    /// Bytes of payload a worker's mailbox holds before senders wait (with a small allowance per message for its routes),
    /// whichever of this and <see cref="MailboxCapacity"/> comes first; a single message is taken whatever its size.
    /// </summary>
    public long MailboxBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Clock for every timer on the node (timeouts, keep-alives); tests replace it.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
