namespace Ockam.Grains.Contracts;

/// <summary>
/// A claimed KeyPackage (RFC 9420 §10) with the subject's history and GroupSigning attestation, which vouch for the
/// package's signature key; the claimer verifies all three. The byte fields are encodings, compared by nobody.
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.key-package-claim")]
public sealed record KeyPackageClaim(
    [property: Id(0)] KeyPackageClaimOutcome Outcome,
    [property: Id(1)] byte[]? History = null,
    [property: Id(2)] byte[]? Signing = null,
    [property: Id(3)] byte[]? KeyPackage = null);
