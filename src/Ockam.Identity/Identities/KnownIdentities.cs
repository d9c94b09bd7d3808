using Ockam.Identity.Vault;

namespace Ockam.Identity.Identities;

/// <summary>
/// A verifier's memory of identities' histories. It keeps the longest valid history it has seen
/// (a shorter one presented later is a rollback and is not taken) and marks an identity compromised
/// when two histories fork.
/// </summary>
public sealed class KnownIdentities(IVault vault)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Identifier, (VerifiedIdentity Identity, bool Compromised)> known = [];

    /// <summary>Verifies <paramref name="presented"/> and returns the newest valid history of its identity.</summary>
    /// <exception cref="IdentityException">The history is invalid, forks from the known one, or the identity is compromised.</exception>
    public VerifiedIdentity Accept(ChangeHistory presented, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var verified = presented.Verify(vault, now);
        lock (gate)
        {
            if (!known.TryGetValue(verified.Identifier, out var entry))
            {
                known[verified.Identifier] = (verified, false);
                return verified;
            }

            if (entry.Compromised)
            {
                throw new IdentityException(IdentityError.Compromised, $"{verified.Identifier} is compromised: its history forked");
            }

            switch (ChangeHistory.Compare(entry.Identity.History, presented))
            {
                case HistoryComparison.Extends:
                    known[verified.Identifier] = (verified, false);
                    return verified;
                case HistoryComparison.Fork:
                    known[verified.Identifier] = (entry.Identity, true);
                    throw new IdentityException(IdentityError.Fork, $"{verified.Identifier}'s history forks from the known one");
                default:
                    // Same, or Older: a rollback attempt gets the newer history we already know.
                    return entry.Identity;
            }
        }
    }

    public VerifiedIdentity? Get(Identifier identifier)
    {
        lock (gate)
        {
            return known.TryGetValue(identifier, out var entry) && !entry.Compromised ? entry.Identity : null;
        }
    }

    public bool IsCompromised(Identifier identifier)
    {
        lock (gate)
        {
            return known.TryGetValue(identifier, out var entry) && entry.Compromised;
        }
    }
}
