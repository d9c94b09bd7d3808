namespace Ockam.Identity.Mls;

/// <summary>
/// The byte bounds the MLS wire structs give their vectors, so that no input can make a decoder allocate
/// more than the value it claims could sensibly need. Each bound names what scales with it.
/// </summary>
internal static class MlsLimits
{
    /// <summary>A key, hash, MAC, signature, KEM output, nonce or reference: far above any suite's sizes.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>A group id, PSK id, basic credential identity, or an HPKE-encrypted secret.</summary>
    public const int MaxIdentifierBytes = 4 * 1024;

    /// <summary>A credential's certificates, or one certificate.</summary>
    public const int MaxCredentialBytes = 64 * 1024;

    /// <summary>One of a leaf's capability lists (a vector of uint16).</summary>
    public const int MaxCapabilityListBytes = 1024;

    /// <summary>The extensions of a leaf node or key package.</summary>
    public const int MaxLeafExtensionsBytes = 64 * 1024;

    /// <summary>Application data and authenticated data: the project's frame limit.</summary>
    public const int MaxFrameBytes = 256 * 1024;

    /// <summary>
    /// Anything that grows with the group: a ratchet tree (which a group's extensions can carry), an update
    /// path's ciphertexts, a commit's proposals, unmerged leaves, an encrypted GroupInfo. A tree of 10 000
    /// members (20 000 nodes of a few hundred bytes each) fits several times over.
    /// </summary>
    public const int MaxTreeBytes = 16 * 1024 * 1024;
}
