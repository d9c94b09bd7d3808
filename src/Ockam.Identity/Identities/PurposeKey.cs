using Ockam.Identity.Vault;

namespace Ockam.Identity.Identities;

/// <summary>A purpose key this node holds: the vault handle and the attestation that vouches for it.</summary>
public sealed record PurposeKey(KeyHandle Key, PurposeKeyAttestation Attestation);
