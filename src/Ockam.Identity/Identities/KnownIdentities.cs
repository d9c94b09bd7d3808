using Ockam.Identity.Vault;

namespace Ockam.Identity.Identities;

/// <summary>
/// A verifier's memory of identities' histories, in this process. It keeps the longest valid history it
/// has seen, refuses a shorter one presented later (a rollback), and marks an identity compromised when
/// two histories fork.
/// </summary>
public sealed class KnownIdentities(IVault vault) : IIdentityHistories
{
    private readonly Lock gate = new();
    private readonly Dictionary<Identifier, (VerifiedIdentity Identity, bool Compromised)> known = [];

    public ValueTask<VerifiedIdentity> AcceptAsync(ChangeHistory presented, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Accept(presented, now));

    /// <summary>Verifies <paramref name="presented"/> and returns it if it equals or extends the known history.</summary>
    /// <exception cref="IdentityException">The history is invalid, older than the known one, forks from it, or the identity is compromised.</exception>
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
                case HistoryComparison.Older:
                    // Whoever presents a history we know to be superseded may hold a key rotated away from.
                    throw new IdentityException(IdentityError.RolledBack, $"{verified.Identifier} presented an older history than the one known");
                default:
                    return entry.Identity;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return known.Count;
            }
        }
    }

    /// <summary>Every history known, with whether its identity is compromised (for a verifier that keeps them).</summary>
    public IReadOnlyList<(ChangeHistory History, bool Compromised)> Entries()
    {
        lock (gate)
        {
            return [.. known.Values.Select(e => (e.Identity.History, e.Compromised))];
        }
    }

    /// <summary>Takes back what <see cref="Entries"/> gave: a kept history (verified again), compromised or not.</summary>
    public void Restore(ChangeHistory history, bool compromised, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(history);
        var verified = history.Verify(vault, now);
        lock (gate)
        {
            known[verified.Identifier] = (verified, compromised);
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
