using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;

namespace Ockam.Client.Edge;

/// <summary>
/// A message from a peer: over a live end-to-end channel, or <see cref="Sealed"/> to this node and opened from a
/// relay's mailbox. Either way <see cref="Sender"/> is proven (by the channel's handshake, or by the seal) and
/// <see cref="Credentials"/> are the sender's that verified.
/// </summary>
public sealed record Received(Identifier Sender, IReadOnlyList<VerifiedCredential> Credentials, ReadOnlyMemory<byte> Payload, bool Sealed);
