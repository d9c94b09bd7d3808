using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api;

/// <summary>
/// What a room or topic pushes to a member's <c>group-inbox</c> (through the relay the member named):
/// <c>{0: version, 1: group id, 2: kind (1 commit, 2 message, 3 welcome), 3: index, 4: bytes}</c>. The bytes are a signed
/// commit or an encrypted, signed group message: the service can order and store them, not read them. A message's
/// index is its place in the log; a commit's is, from the group grains, the index of the last message logged
/// before it, and from the MLS Delivery Service, whose log orders commits and messages together, its own place. A welcome tells a joiner that a Welcome waits for it, fetched from the
/// group with the commit's index: its bytes are empty.
/// </summary>
/// <remarks>Version 2: the group id is a <see cref="GroupId.Value"/> (<c>room:</c> or <c>topic:</c>), never a bare name.</remarks>
public sealed record GroupDelivery(GroupId Group, GroupDeliveryKind Kind, ulong Index, byte[] Content)
{
    public const uint Version = 2;
    public const string InboxAddress = "group-inbox";
    public const int MaxSize = 4 * 1024 * 1024 + 1024;
    private const int MaxGroupIdBytes = 256;

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(5);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteTextString(Group.Value);
        w.WriteUInt32(2);
        w.WriteUInt32((uint)Kind);
        w.WriteUInt32(3);
        w.WriteUInt64(Index);
        w.WriteUInt32(4);
        w.WriteByteString(Content);
        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, oversized, or an unknown version or kind.</exception>
    public static GroupDelivery Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "group delivery", d =>
        {
            if (d.ReadMapStart(5) != 5)
            {
                throw d.Error("a group delivery has exactly five fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var group = GroupId.Parse(d.ReadText(MaxGroupIdBytes));
            d.ExpectKey(2);
            var kind = d.ReadUInt32();
            if (kind is not (1 or 2 or 3))
            {
                throw d.Error($"unknown delivery kind {kind}");
            }

            d.ExpectKey(3);
            var index = d.ReadUInt64();
            d.ExpectKey(4);

            // A commit or message has bytes; a welcome notice has none.
            var content = kind == 3 ? d.ReadBytes(0, 0) : d.ReadBytes(1, MaxSize);
            d.ReadMapEnd();
            return new GroupDelivery(group, (GroupDeliveryKind)kind, index, content);
        });
}

public enum GroupDeliveryKind : uint
{
    Commit = 1,
    Message = 2,

    /// <summary>A Welcome waits for the joiner at the group (the content is empty).</summary>
    Welcome = 3,
}
