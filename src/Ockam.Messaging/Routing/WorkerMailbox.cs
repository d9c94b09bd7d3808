namespace Ockam.Messaging.Routing;

/// <summary>How messages reach a worker: what they wait in, and what they wait behind.</summary>
public enum WorkerMailbox
{
    /// <summary>One bounded mailbox for all its addresses; messages are handled one at a time, in order.</summary>
    Shared,

    /// <summary>
    /// One bounded mailbox and one loop per address: each address's messages are handled one at a time, in order,
    /// and never wait behind another address's (a channel's send side never waits behind its receive side).
    /// The worker must be safe for its addresses' handlers running at once.
    /// </summary>
    PerAddress,

    /// <summary>
    /// No mailbox: each sender runs the handler itself, at once with other senders, so whatever the handler waits
    /// for, its sender waits for, and no one else. The worker must be safe for concurrent use and bound what it keeps.
    /// </summary>
    None,
}
