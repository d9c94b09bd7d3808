namespace Ockam.Identity.Hpke;

/// <summary>RFC 9180 §7.3 AEAD identifiers (aead_id) of the AEADs this HPKE runs.</summary>
public enum HpkeAead : ushort
{
    /// <summary>AES-128-GCM: Nk = 16, Nn = 12, Nt = 16 (MLS ciphersuite 1).</summary>
    Aes128Gcm = 0x0001,

    /// <summary>AES-256-GCM: Nk = 32, Nn = 12, Nt = 16.</summary>
    Aes256Gcm = 0x0002,
}
