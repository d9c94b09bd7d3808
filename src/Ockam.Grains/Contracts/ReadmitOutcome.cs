namespace Ockam.Grains.Contracts;

[GenerateSerializer, Alias("ockam.readmit-outcome")]
public enum ReadmitOutcome
{
    Readmitted,

    /// <summary>The identity was neither suspended nor revoked.</summary>
    NothingToLift,

    /// <summary>The caller is not, on the authority's current records, an admin in good standing.</summary>
    Denied,
}
