namespace Ockam.Grains.Identities;

[GenerateSerializer, Alias("ockam.identity-state")]
internal sealed record IdentityState
{
    [Id(0)]
    public byte[]? History { get; init; }

    [Id(1)]
    public bool Compromised { get; init; }
}
