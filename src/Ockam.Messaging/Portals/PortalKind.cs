namespace Ockam.Messaging.Portals;

/// <summary>The kind of a portal message: its key 1 on the wire.</summary>
internal enum PortalKind : uint
{
    /// <summary>Inlet to outlet: a TCP connection arrived; open a stream to the outlet's target.</summary>
    Open = 1,

    /// <summary>Outlet's stream to inlet's: the target answered; the stream is open.</summary>
    Opened = 2,

    /// <summary>Bytes of the stream, in order.</summary>
    Data = 3,

    /// <summary>The receiver has written this many more bytes to its socket: the sender may send as many more.</summary>
    Credit = 4,

    /// <summary>The sender's socket will send nothing more (its peer shut down its send side): a half-close.</summary>
    End = 5,

    /// <summary>The stream is over, abruptly (a socket failed, the target refused, a rule was broken).</summary>
    Reset = 6,
}
