using System.Formats.Cbor;

namespace Ockam.Messaging.Portals;

/// <summary>Outlet's stream → inlet's: the target accepted; the outlet may be sent <see cref="Window"/> bytes unacknowledged.</summary>
internal sealed class PortalOpened(uint window) : PortalMessage
{
    public uint Window { get; } = window;

    public override PortalKind Kind => PortalKind.Opened;

    protected override void WriteValue(CborWriter writer) => writer.WriteUInt32(Window);
}
