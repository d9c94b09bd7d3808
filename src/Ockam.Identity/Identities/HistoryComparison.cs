namespace Ockam.Identity.Identities;

/// <summary>How a presented history relates to a known one of the same identity.</summary>
public enum HistoryComparison
{
    /// <summary>The same changes.</summary>
    Same,

    /// <summary>The presented history has all known changes and more after them: it is newer.</summary>
    Extends,

    /// <summary>The presented history is a strict prefix of the known one: taking it would be a rollback.</summary>
    Older,

    /// <summary>The histories diverge after a common change: the identity is compromised.</summary>
    Fork,
}
