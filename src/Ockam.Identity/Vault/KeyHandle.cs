namespace Ockam.Identity.Vault;

/// <summary>
/// Names a key inside a vault. It carries no secret: only the vault that issued it can use it.
/// </summary>
public sealed record KeyHandle(string Id, KeyType Type)
{
    public override string ToString() => $"{Type}:{Id}";
}
