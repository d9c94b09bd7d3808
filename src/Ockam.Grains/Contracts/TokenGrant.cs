namespace Ockam.Grains.Contracts;

/// <summary>
/// What redeeming a token grants: attributes for a credential from <see cref="Authority"/>, until
/// <see cref="ExpiresAt"/>, to at most <see cref="Uses"/> distinct identities.
/// </summary>
[GenerateSerializer, Immutable, Alias("ockam.token-grant")]
public sealed record TokenGrant(
    [property: Id(0)] string Authority,
    [property: Id(1)] IReadOnlyDictionary<string, byte[]> Attributes,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] int Uses = 1,
    [property: Id(5)] DateTimeOffset CreatedAt = default)
{
    /// <summary>A grant stored before tokens had a usage count reads 0 here: it had one use.</summary>
    public int DistinctRedeemers => Math.Max(Uses, 1);
}
