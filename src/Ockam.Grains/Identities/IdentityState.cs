namespace Ockam.Grains.Identities;

[GenerateSerializer, Alias("ockam.identity-state")]
internal sealed record IdentityState
{
    [Id(0)]
    public byte[]? History { get; init; }

    [Id(1)]
    public bool Compromised { get; init; }

    /// <summary>The identity's attested group keys (X25519 to seal to, Ed25519 that signs), for inviters.</summary>
    [Id(2)]
    public byte[]? GroupAgreement { get; init; }

    [Id(3)]
    public byte[]? GroupSigning { get; init; }

    /// <summary>Encoded MLS KeyPackages the identity published, oldest first, each checked when it was stored.</summary>
    [Id(4)]
    public byte[][] KeyPackages { get; init; } = [];
}
