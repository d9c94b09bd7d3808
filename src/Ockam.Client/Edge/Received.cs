using Ockam.Messaging.SecureChannels;

namespace Ockam.Client.Edge;

/// <summary>A message that arrived over an end-to-end channel, with the peer that channel proved.</summary>
public sealed record Received(AuthenticatedPeer Peer, ReadOnlyMemory<byte> Payload);
