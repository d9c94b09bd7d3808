using Ockam.Grains.Contracts;

namespace Ockam.Grains.Enrollment;

/// <inheritdoc cref="IEnrollmentTokenGrain"/>
/// <remarks>
/// Exactly once: the grain handles one call at a time and stores the redemption before it answers, so of
/// any number of concurrent redemptions one wins. Should two activations ever exist (a partitioned
/// cluster), the storage's version check makes the second write fail rather than redeem twice.
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

    public async Task<TokenRedemption> RedeemAsync(string identifier)
    {
        var grant = state.State.Grant;
        if (grant is null)
        {
            return new TokenRedemption(TokenOutcome.Unknown, null);
        }

        if (state.State.RedeemedBy is { } redeemedBy)
        {
            // A retry by the identity that redeemed it (its answer was lost) gets the same grant.
            return redeemedBy == identifier ? new TokenRedemption(TokenOutcome.Redeemed, grant) : new TokenRedemption(TokenOutcome.AlreadyUsed, null);
        }

        var now = time.GetUtcNow();
        if (now > grant.ExpiresAt)
        {
            return new TokenRedemption(TokenOutcome.Expired, null);
        }

        state.State = state.State with { RedeemedBy = identifier, RedeemedAt = now };
        await state.WriteStateAsync();
        return new TokenRedemption(TokenOutcome.Redeemed, grant);
    }
}
