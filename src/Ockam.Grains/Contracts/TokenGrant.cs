namespace Ockam.Grains.Contracts;

/// <summary>What redeeming a token grants: attributes for a credential from <see cref="Authority"/>, until <see cref="ExpiresAt"/>.</summary>
[GenerateSerializer, Immutable, Alias("ockam.token-grant")]
public sealed record TokenGrant(
    [property: Id(0)] string Authority,
    [property: Id(1)] IReadOnlyDictionary<string, byte[]> Attributes,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] string CreatedBy);
