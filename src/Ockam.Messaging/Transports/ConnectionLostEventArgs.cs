namespace Ockam.Messaging.Transports;

/// <summary>A dialled connection broke (its peer went away or the network dropped); it is being redialled.</summary>
public sealed class ConnectionLostEventArgs(string peer) : EventArgs
{
    /// <summary>The peer as it was dialled, <c>host:port</c>.</summary>
    public string Peer { get; } = peer;
}
