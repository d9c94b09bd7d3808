namespace Ockam.Identity.Mls;

/// <summary><c>enum { reserved(0), mls10(1), (65535) } ProtocolVersion;</c> (RFC 9420 §6). Other values are kept as read: the group decides what it accepts.</summary>
internal enum ProtocolVersion : ushort
{
    Mls10 = 1,
}
