namespace Ockam.Identity.Vault;

/// <summary>One output of <see cref="IVault.DeriveKeys"/>: the kind of key and its length in bytes.</summary>
public readonly record struct KeySpec(KeyType Type, int Length)
{
    public static KeySpec Secret32 => new(KeyType.Secret, 32);

    public static KeySpec Aes256 => new(KeyType.AesGcm, 32);
}
