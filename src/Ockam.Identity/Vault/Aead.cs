namespace Ockam.Identity.Vault;

/// <summary>Sizes shared by every AEAD the vault offers.</summary>
public static class Aead
{
    public const int NonceSize = 12;
    public const int TagSize = 16;
}
