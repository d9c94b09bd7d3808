namespace Ockam.Grains.Contracts;

/// <summary>
/// What became of published KeyPackages: <see cref="Held"/> is how many the identity grain holds now; a non-null
/// <see cref="Refusal"/> says why none of them was stored (all or none: a batch with one bad package is refused whole).
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.key-package-publication")]
public sealed record KeyPackagePublication(
    [property: Id(0)] int Held,
    [property: Id(1)] string? Refusal);
