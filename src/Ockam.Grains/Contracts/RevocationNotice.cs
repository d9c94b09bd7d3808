namespace Ockam.Grains.Contracts;

/// <summary>The authority's new signed revocation list, and the identities whose membership ended with it (if any).</summary>
[GenerateSerializer, Immutable, Alias("ockam.revocation-notice")]
public sealed record RevocationNotice(
    [property: Id(0)] byte[] RevocationList,
    [property: Id(1)] IReadOnlyList<string> Subjects);
