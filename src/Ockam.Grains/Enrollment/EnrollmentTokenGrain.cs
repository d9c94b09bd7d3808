using Ockam.Grains.Contracts;

namespace Ockam.Grains.Enrollment;

/// <inheritdoc cref="IEnrollmentTokenGrain"/>
/// <remarks>
/// Each use exactly once: the grain handles one call at a time and stores each redemption before it answers,
/// so of any number of concurrent redemptions by distinct identities exactly the usage count win. Should two
/// activations ever exist (a partitioned cluster), the storage's version check makes the second write fail
/// rather than redeem twice.
/// </remarks>
internal sealed class EnrollmentTokenGrain(
    [PersistentState("token", Storage.ProviderName)] IPersistentState<EnrollmentTokenState> state,
    TimeProvider time) : Grain, IEnrollmentTokenGrain
{
    public async Task<bool> CreateAsync(TokenGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (state.State.Grant is not null)
        {
            return false;
        }

        state.State = new EnrollmentTokenState { Grant = grant };
        await state.WriteStateAsync();
        return true;
    }

    public Task<TokenGrant?> GetGrantAsync() => Task.FromResult(state.State.Grant);

    public async Task<TokenRedemption> RedeemAsync(string identifier)
    {
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

        if (state.State.RedeemedFor(identifier))
        {
            // A retry by an identity that redeemed it (its answer was lost) gets the same grant and uses nothing.
            return new TokenRedemption(TokenOutcome.Redeemed, grant, Retry: true);
        }

        if (state.State.Redemptions >= grant.DistinctRedeemers)
        {
            return new TokenRedemption(TokenOutcome.AlreadyUsed, null);
        }

        state.State = state.State with { Redeemers = [.. state.State.Redeemers, identifier], RedeemedAt = now };
        await state.WriteStateAsync();
        return new TokenRedemption(TokenOutcome.Redeemed, grant);
    }
}
