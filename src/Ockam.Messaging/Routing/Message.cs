using Ockam.Messaging.SecureChannels;

namespace Ockam.Messaging.Routing;

/// <summary>
/// A routed message: where it goes (<see cref="OnwardRoute"/>), how to answer it (<see cref="ReturnRoute"/>)
/// and opaque bytes. Each hop pops itself from the onward route; hops that must see the reply push
/// themselves onto the return route.
/// </summary>
public sealed record Message(Route OnwardRoute, Route ReturnRoute, ReadOnlyMemory<byte> Payload)
{
    /// <summary>
    /// Set by the node, never read from the wire: the peer of the innermost secure channel this message
    /// came out of, or null if it did not come out of one. Authorization decisions start here.
    /// </summary>
    public AuthenticatedPeer? AuthenticatedPeer { get; init; }

    /// <summary>
    /// Set by the node, never read from the wire: the flow of the producer that received this message from a
    /// remote party, or null for a message local code sent. Workers that spawn others (listeners) pass it on.
    /// </summary>
    public FlowId? Flow { get; init; }

    /// <summary>A message to <paramref name="onward"/> that a reply reaches through <paramref name="returnRoute"/>.</summary>
    public static Message To(Route onward, Route returnRoute, ReadOnlyMemory<byte> payload) => new(onward, returnRoute, payload);

    /// <summary>The reply to this message: sent back along its return route.</summary>
    public Message Reply(ReadOnlyMemory<byte> payload, Route? replyRoute = null) => new(ReturnRoute, replyRoute ?? Route.Empty, payload);
}
