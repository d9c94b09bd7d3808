using System.Formats.Cbor;

namespace Ockam.Messaging.Portals;

/// <summary>No data follows the <see cref="Sent"/> data messages sent before this one: a half-close.</summary>
internal sealed class PortalEnd(ulong sent) : PortalMessage
{
    public ulong Sent { get; } = sent;

    public override PortalKind Kind => PortalKind.End;

    protected override void WriteValue(CborWriter writer) => writer.WriteUInt64(Sent);
}
