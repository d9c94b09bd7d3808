namespace Ockam.Identity.Mls;

/// <summary>The extension types RFC 9420 §17.3 registers. An extension's data is opaque, so other values are kept as read.</summary>
internal enum ExtensionType : ushort
{
    ApplicationId = 1,
    RatchetTree = 2,
    RequiredCapabilities = 3,
    ExternalPub = 4,
    ExternalSenders = 5,
}
