namespace Ockam.Identity.Identities;

/// <summary>
/// Where a verifier keeps the longest valid history it has seen of each identity (in memory, in a node's
/// home, or in the service's identity grains). A presented history must equal or extend it: nobody can roll
/// an identity back to a key it has rotated away from.
/// </summary>
public interface IIdentityHistories
{
    /// <summary>Verifies <paramref name="presented"/>; if it equals or extends the longest known history, it becomes that history and is returned.</summary>
    /// <exception cref="IdentityException">
    /// The history does not verify; it is older than the known one (<see cref="IdentityError.RolledBack"/>); it forks
    /// from it (<see cref="IdentityError.Fork"/>); or the identity is compromised.
    /// </exception>
    ValueTask<VerifiedIdentity> AcceptAsync(ChangeHistory presented, DateTimeOffset now, CancellationToken cancellationToken = default);
}
