using Ockam.Identity.Identities;
using Ockam.Messaging.Api;

namespace Ockam.Client.Edge;

/// <summary>
/// A decrypted message of room or topic <paramref name="Group"/> with the member whose signature it carried, at its
/// position in the group's log, sent in <paramref name="Epoch"/> (where reading starts again if it is not acknowledged).
/// </summary>
public sealed record RoomMessage(GroupId Group, Identifier Sender, ReadOnlyMemory<byte> Payload, ulong Index, ulong Epoch);
