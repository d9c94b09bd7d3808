using Ockam.Grains.Authority;
using Ockam.Grains.Contracts;
using Orleans.Concurrency;

namespace Ockam.Grains.Enrollment;

/// <inheritdoc cref="IEnrollmentTokenGrain"/>
/// <remarks>
/// The grant is the grain's state (written once); its redemptions are rows (<see cref="IAuthorityStore"/>), so a token
/// for ten thousand devices costs each of them the same. Each use exactly once: the store takes a use and records
/// the redeemer in one transaction, so of any number of concurrent redemptions by distinct identities exactly the
/// usage count win, and the grain can take many at once (one commit serves them all).
/// </remarks>
[Reentrant]
internal sealed class EnrollmentTokenGrain(
    [PersistentState("token", Storage.ProviderName)] IPersistentState<EnrollmentTokenState> state,
    IAuthorityStore store,
    TimeProvider time) : Grain, IEnrollmentTokenGrain
{
    private string Token => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Redeemers kept in the state before they were rows: moved into rows once (idempotently, rows first).
        if (state.State.Redemptions > 0)
        {
            string[] redeemers = [.. state.State.Redeemers, .. state.State.RedeemedBy is { } one ? [one] : Array.Empty<string>()];
            await store.ImportRedemptionsAsync(Token, redeemers, state.State.RedeemedAt ?? time.GetUtcNow(), cancellationToken);
            state.State = state.State with { Redeemers = [], RedeemedBy = null };
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task<bool> CreateAsync(TokenGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (state.State.Grant is not null)
        {
            return false;
        }

        // Set before the write is awaited: a concurrent create (calls interleave) finds the token taken.
        state.State = new EnrollmentTokenState { Grant = grant };
        await state.WriteStateAsync();
        return true;
    }

    public Task<TokenGrant?> GetGrantAsync() => Task.FromResult(state.State.Grant);

    public async Task<TokenRedemption> RedeemAsync(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var grant = state.State.Grant;
        if (grant is null)
        {
            return new TokenRedemption(TokenOutcome.Unknown, null);
        }

        // Checked before the retry below: an expired token is expired for its redeemers too, so an old token
        // cannot bring back attributes long after it was meant to be used.
        var now = time.GetUtcNow();
        if (now > grant.ExpiresAt)
        {
            return new TokenRedemption(TokenOutcome.Expired, null);
        }

        // A retry by an identity that redeemed it (its answer was lost) gets the same grant and uses nothing.
        return await store.RedeemAsync(Token, identifier, grant.DistinctRedeemers, now, CancellationToken.None) switch
        {
            RedemptionOutcome.Redeemed => new TokenRedemption(TokenOutcome.Redeemed, grant),
            RedemptionOutcome.Retry => new TokenRedemption(TokenOutcome.Redeemed, grant, Retry: true),
            _ => new TokenRedemption(TokenOutcome.AlreadyUsed, null),
        };
    }
}
