namespace Ockam.Grains.Contracts;

[GenerateSerializer, Alias("ockam.key-package-claim-outcome")]
public enum KeyPackageClaimOutcome
{
    /// <summary>One package handed out, and deleted from the grain.</summary>
    Claimed,

    /// <summary>The identity holds no valid package (it publishes them when it enrols or connects).</summary>
    NoneLeft,

    /// <summary>The claimer has claimed this identity's packages too often lately; nothing was consumed.</summary>
    TooMany,
}
