namespace Ockam.Messaging.Routing;

/// <summary>Settings of a <see cref="Node"/>.</summary>
public sealed record NodeOptions
{
    /// <summary>Messages a worker's mailbox holds before senders wait (back-pressure, not loss).</summary>
    public int MailboxCapacity { get; init; } = 1024;

    /// <summary>Clock for every timer on the node (timeouts, keep-alives); tests replace it.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
