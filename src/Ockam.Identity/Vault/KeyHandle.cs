namespace Ockam.Identity.Vault;

/// <summary>
/// Names a key inside a vault. It carries no secret: only the vault that issued it can use it.
/// </summary>
public sealed record KeyHandle(string Id, KeyType Type)
{
    /// <summary>
    /// The vault that issued this handle, and <see cref="Material"/> the key it was issued for: that vault reaches the
    /// key without a lookup by id on every operation (the secure channel's data path). Both stay out of equality: a
    /// handle rebuilt from a stored id is the same handle, and is looked up.
    /// </summary>
    internal SoftwareVault? Issuer { get; init; }

    internal KeyMaterial? Material { get; init; }

    public bool Equals(KeyHandle? other) => other is not null && Id == other.Id && Type == other.Type;

    public override int GetHashCode() => HashCode.Combine(Id, Type);

    public override string ToString() => $"{Type}:{Id}";
}
