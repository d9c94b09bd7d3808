namespace Ockam.Grains.Contracts;

/// <summary>Who put a message in a relay: a peer (its route is the sender's choice) or the service itself (group fan-out).</summary>
public enum RelayOrigin : byte
{
    /// <summary>Relayed for a member: the owner's node lets it reach only its end-to-end channels.</summary>
    Peer = 0,

    /// <summary>Made by the service (a room's or topic's delivery): the owner's node lets it reach only its group inbox.</summary>
    Service = 1,
}
