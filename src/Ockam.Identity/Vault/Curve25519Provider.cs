namespace Ockam.Identity.Vault;

/// <summary>
/// Which library does a <see cref="SoftwareVault"/>'s Ed25519 and X25519 arithmetic (and, with libsodium on a CPU with
/// AES-NI, its AES-256-GCM). Both pass the same vectors and read and write the same key file; they differ in speed
/// only (docs/identity.md, "Vault").
/// </summary>
public enum Curve25519Provider
{
    /// <summary>libsodium (through Geralt): the default; X25519 in half the time of BouncyCastle here, signatures faster too.</summary>
    Libsodium = 0,

    /// <summary>BouncyCastle, in managed code: for platforms without a libsodium build.</summary>
    BouncyCastle = 1,
}
