namespace Ockam.Identity.Mls;

/// <summary>The wire formats of RFC 9420 §6 (registry §17.2), a uint16 on the wire.</summary>
internal enum WireFormat : ushort
{
    PublicMessage = 1,
    PrivateMessage = 2,
    Welcome = 3,
    GroupInfo = 4,
    KeyPackage = 5,
}
