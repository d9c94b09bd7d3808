using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The cluster's memory of identities for handshakes: each identity's grain holds its longest valid history
/// (durably, for every silo), so a history a peer presents must equal or extend that one — a node that rotated
/// teaches the grain its new history; the thief of a rotated-away key is refused, on any silo, after restarts too.
/// </summary>
internal sealed class GrainIdentityHistories(IGrainFactory grains, IVault vault, TimeProvider time) : IIdentityHistories
{
    /// <summary>
    /// A grain call refused because the silo its grain lived on is gone is tried again this often, this many times: the
    /// cluster declares that silo dead within seconds and the grain then activates elsewhere, so the handshakes of a
    /// fleet moving off a dead silo complete (within their timeout) instead of being dropped.
    /// </summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private const int Attempts = 32;

    public async ValueTask<VerifiedIdentity> AcceptAsync(ChangeHistory presented, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presented);

        // Verified here first: the grain is not asked about anything that does not verify.
        var verified = presented.Verify(vault, now);
        var grain = grains.GetGrain<IIdentityGrain>(verified.Identifier.ToString());
        if (presented.Changes.Count == 1)
        {
            // A first change cannot roll anything back; only compared, never stored, so that strangers making fresh
            // identities by the thousand write nothing (the grain learns it at enrolment, or when it rotates).
            var status = await CallAsync(grain.GetStatusAsync, cancellationToken).ConfigureAwait(false);
            if (status.Compromised)
            {
                throw new IdentityException(IdentityError.Compromised, $"{verified.Identifier} is compromised");
            }

            return status.Changes > 1
                ? throw new IdentityException(IdentityError.RolledBack, $"{verified.Identifier} presented its first change; its identity grain holds {status.Changes}")
                : verified;
        }

        var encoded = presented.Encode();
        var publication = await CallAsync(() => grain.PublishAsync(encoded), cancellationToken).ConfigureAwait(false);
        return publication.Outcome switch
        {
            PublicationOutcome.Accepted or PublicationOutcome.Unchanged => verified,
            PublicationOutcome.RolledBack => throw new IdentityException(IdentityError.RolledBack, $"{verified.Identifier} presented an older history than the one its identity grain holds"),
            PublicationOutcome.Forked => throw new IdentityException(IdentityError.Fork, $"{verified.Identifier}'s history forks from the one its identity grain holds"),
            PublicationOutcome.Compromised => throw new IdentityException(IdentityError.Compromised, $"{verified.Identifier} is compromised"),
            _ => throw new IdentityException(IdentityError.BrokenChain, publication.Reason ?? "the identity grain refused the history"),
        };
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException && attempt < Attempts)
            {
                await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
