namespace Ockam.Grains.Contracts;

[GenerateSerializer, Alias("ockam.publication-outcome")]
public enum PublicationOutcome
{
    /// <summary>Stored: the first history of this identity, or one that extends the stored one.</summary>
    Accepted,

    /// <summary>The same history the grain already holds.</summary>
    Unchanged,

    /// <summary>An older prefix of the stored history: a rollback, refused.</summary>
    RolledBack,

    /// <summary>Diverges from the stored history: the identity is now marked compromised.</summary>
    Forked,

    /// <summary>Does not verify, or is about another identifier.</summary>
    Invalid,

    /// <summary>The identity was already marked compromised; nothing is accepted any more.</summary>
    Compromised,
}
