using Ockam.Identity.Encoding;

namespace Ockam.Identity.Identities;

/// <summary>A purpose key whose attestation has been verified against its subject's history.</summary>
public sealed record VerifiedPurposeKey(Identifier Subject, Purpose Purpose, ByteString PublicKey, DateTimeOffset ExpiresAt);
