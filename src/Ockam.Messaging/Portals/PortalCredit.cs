using System.Formats.Cbor;

namespace Ockam.Messaging.Portals;

/// <summary>The receiver wrote <see cref="Granted"/> more bytes to its socket: the sender may have as many more in flight.</summary>
internal sealed class PortalCredit(uint granted) : PortalMessage
{
    public uint Granted { get; } = granted;

    public override PortalKind Kind => PortalKind.Credit;

    protected override void WriteValue(CborWriter writer) => writer.WriteUInt32(Granted);
}
