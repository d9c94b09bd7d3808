using Ockam.Identity.Identities;

namespace Ockam.Identity.Groups;

/// <summary>A member as a group knows it: its identifier and its attested group keys (X25519 to seal to, Ed25519 that signs).</summary>
public sealed record GroupMember(Identifier Identifier, byte[] AgreementKey, byte[] SigningKey);
