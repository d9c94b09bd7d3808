namespace Ockam.Identity.Mls;

/// <summary>The two ratchets every leaf of the secret tree has (RFC 9420 §9.1), named by their ExpandWithLabel labels.</summary>
internal enum RatchetType
{
    /// <summary>The "handshake" ratchet: keys for proposals and commits sent as PrivateMessage.</summary>
    Handshake,

    /// <summary>The "application" ratchet: keys for application messages.</summary>
    Application,
}
