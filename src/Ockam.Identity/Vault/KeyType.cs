namespace Ockam.Identity.Vault;

/// <summary>What a key in a vault is, and so which operations it may be used for.</summary>
public enum KeyType
{
    /// <summary>Ed25519 signing key (32-byte seed).</summary>
    Ed25519 = 1,

    /// <summary>X25519 key-agreement key (32-byte scalar).</summary>
    X25519 = 2,

    /// <summary>AES-GCM key (16, 24 or 32 bytes; generated keys are always 32).</summary>
    AesGcm = 3,

    /// <summary>ChaCha20-Poly1305 key (32 bytes).</summary>
    ChaCha20Poly1305 = 4,

    /// <summary>Opaque secret: a DH output or HKDF output, usable only as HKDF input.</summary>
    Secret = 5,
}
