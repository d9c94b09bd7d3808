using Ockam.Identity.Identities;
using Ockam.Messaging.Api;

namespace Ockam.Client.Edge;

/// <summary>A decrypted message of room or topic <paramref name="Group"/> with the member whose signature it carried, at its position in the group's log.</summary>
public sealed record RoomMessage(GroupId Group, Identifier Sender, ReadOnlyMemory<byte> Payload, ulong Index);
