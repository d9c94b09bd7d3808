using System.Formats.Cbor;

namespace Ockam.Messaging.Portals;

/// <summary>The stream's bytes; <see cref="Sequence"/> counts data messages from 0, so a lost or reordered one is seen.</summary>
/// <remarks>A class, not a record: a record's equality would compare the memory's reference, not its bytes.</remarks>
internal sealed class PortalData(ulong sequence, ReadOnlyMemory<byte> data) : PortalMessage
{
    public ulong Sequence { get; } = sequence;

    public ReadOnlyMemory<byte> Data { get; } = data;

    public override PortalKind Kind => PortalKind.Data;

    protected override ReadOnlyMemory<byte>? Bytes => Data;

    protected override void WriteValue(CborWriter writer) => writer.WriteUInt64(Sequence);
}
