using System.Formats.Cbor;

namespace Ockam.Messaging.Portals;

/// <summary>Inlet → outlet: open a stream to the outlet's one target; the sender may be sent <see cref="Window"/> bytes unacknowledged.</summary>
/// <remarks>It names no target: the outlet has one, fixed when it was made.</remarks>
internal sealed class PortalOpen(uint window) : PortalMessage
{
    public uint Window { get; } = window;

    public override PortalKind Kind => PortalKind.Open;

    protected override void WriteValue(CborWriter writer) => writer.WriteUInt32(Window);
}
