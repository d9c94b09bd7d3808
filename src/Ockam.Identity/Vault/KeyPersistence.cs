namespace Ockam.Identity.Vault;

/// <summary>Whether a key is written to the vault's file (if it has one) or lives only in memory.</summary>
public enum KeyPersistence
{
    Ephemeral,
    Persistent,
}
