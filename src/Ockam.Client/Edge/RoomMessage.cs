using Ockam.Identity.Identities;

namespace Ockam.Client.Edge;

/// <summary>A decrypted room message with the member whose signature it carried.</summary>
public sealed record RoomMessage(string Room, Identifier Sender, ReadOnlyMemory<byte> Payload);
