using Ockam.Grains.Contracts;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Grains.Identities;

/// <inheritdoc cref="IIdentityGrain"/>
internal sealed class IdentityGrain(
    [PersistentState("identity", Storage.ProviderName)] IPersistentState<IdentityState> state,
    IVault vault,
    TimeProvider time) : Grain, IIdentityGrain
{
    public async Task<IdentityPublication> PublishAsync(byte[] history)
    {
        var current = state.State.History;
        if (state.State.Compromised)
        {
            return new IdentityPublication(PublicationOutcome.Compromised, current, "this identity's history forked; it is compromised");
        }

        ChangeHistory presented;
        try
        {
            presented = ChangeHistory.Decode(history);
            presented.Verify(vault, time.GetUtcNow());
            if (presented.Identifier.ToString() != this.GetPrimaryKeyString())
            {
                return new IdentityPublication(PublicationOutcome.Invalid, current, $"the history is of {presented.Identifier}, not {this.GetPrimaryKeyString()}");
            }
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            return new IdentityPublication(PublicationOutcome.Invalid, current, e.Message);
        }

        if (current is null)
        {
            await StoreAsync(state.State with { History = history });
            return new IdentityPublication(PublicationOutcome.Accepted, history, null);
        }

        switch (ChangeHistory.Compare(ChangeHistory.Decode(current), presented))
        {
            case HistoryComparison.Same:
                return new IdentityPublication(PublicationOutcome.Unchanged, current, null);
            case HistoryComparison.Extends:
                await StoreAsync(state.State with { History = history });
                return new IdentityPublication(PublicationOutcome.Accepted, history, null);
            case HistoryComparison.Older:
                return new IdentityPublication(PublicationOutcome.RolledBack, current, "an older history than the one known");
            default:
                await StoreAsync(state.State with { Compromised = true });
                return new IdentityPublication(PublicationOutcome.Forked, current, "the history forks from the one known; the identity is now marked compromised");
        }
    }

    public Task<byte[]?> GetHistoryAsync() => Task.FromResult(state.State.History);

    public Task<IdentityStatus> GetStatusAsync()
    {
        if (state.State.History is not { } encoded)
        {
            return Task.FromResult(new IdentityStatus(false, 0, false, state.State.Compromised));
        }

        var history = ChangeHistory.Decode(encoded);
        return Task.FromResult(new IdentityStatus(true, history.Changes.Count, history.Latest.Data.Revoked, state.State.Compromised));
    }

    public async Task<bool> PublishGroupKeysAsync(byte[] agreementAttestation, byte[] signingAttestation)
    {
        if (state.State.History is not { } encoded || state.State.Compromised)
        {
            return false;
        }

        try
        {
            var now = time.GetUtcNow();
            var identity = ChangeHistory.Decode(encoded).Verify(vault, now);
            PurposeKeyAttestation.Decode(agreementAttestation).Verify(identity, Purpose.GroupKeyAgreement, vault, now);
            PurposeKeyAttestation.Decode(signingAttestation).Verify(identity, Purpose.GroupSigning, vault, now);
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            return false;
        }

        await StoreAsync(state.State with { GroupAgreement = agreementAttestation, GroupSigning = signingAttestation });
        return true;
    }

    public Task<(byte[]? History, byte[]? Agreement, byte[]? Signing)> GetGroupKeysAsync() =>
        Task.FromResult((state.State.History, state.State.GroupAgreement, state.State.GroupSigning));

    private Task StoreAsync(IdentityState next)
    {
        state.State = next;
        return state.WriteStateAsync();
    }
}
