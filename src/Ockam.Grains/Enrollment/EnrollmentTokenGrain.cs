using Ockam.Grains.Authority;
using Ockam.Grains.Contracts;
using Orleans.Concurrency;

namespace Ockam.Grains.Enrollment;

/// <inheritdoc cref="IEnrollmentTokenGrain"/>
/// <remarks>
/// The grant is the grain's state (written once); its redemptions are rows (<see cref="IAuthorityStore"/>), so a token
/// for ten thousand devices costs each of them the same. Each use exactly once: the authority's store takes a use,
/// records the redeemer and the credential's serial in one transaction, so of any number of concurrent redemptions by
/// distinct identities exactly the usage count win (one commit serves many).
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
        // Redeemers kept in the state before they were rows: moved into rows once (idempotently, rows first), before
        // any redemption counts them, as the authority reads the grant (so activates this) before it redeems.
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
}
