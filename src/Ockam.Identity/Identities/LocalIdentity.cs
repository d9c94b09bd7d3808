using Ockam.Identity.Vault;

namespace Ockam.Identity.Identities;

/// <summary>An identity this node controls: its history and the vault handle of its current primary key.</summary>
public sealed record LocalIdentity(ChangeHistory History, KeyHandle PrimaryKey)
{
    public Identifier Identifier => History.Identifier;
}
