using System.Formats.Cbor;

namespace Ockam.Messaging.Portals;

/// <summary>The stream is over, abruptly, for <see cref="Reason"/> (cut to <see cref="PortalMessage.MaxReason"/> bytes).</summary>
internal sealed class PortalReset(string reason) : PortalMessage
{
    public string Reason { get; } = Cut(reason);

    public override PortalKind Kind => PortalKind.Reset;

    protected override void WriteValue(CborWriter writer) => writer.WriteTextString(Reason);

    private static string Cut(string reason)
    {
        while (System.Text.Encoding.UTF8.GetByteCount(reason) > MaxReason)
        {
            reason = reason[..^1];
        }

        return reason;
    }
}
