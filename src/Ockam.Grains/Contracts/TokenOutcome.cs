namespace Ockam.Grains.Contracts;

[GenerateSerializer, Alias("ockam.token-outcome")]
public enum TokenOutcome
{
    Redeemed,
    Unknown,
    Expired,
    AlreadyUsed,
}
