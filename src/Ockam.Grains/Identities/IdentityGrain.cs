using Ockam.Grains.Contracts;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Grains.Identities;

/// <inheritdoc cref="IIdentityGrain"/>
internal sealed class IdentityGrain(
    [PersistentState("identity", Storage.ProviderName)] IPersistentState<IdentityState> state,
    IVault vault,
    TimeProvider time) : Grain, IIdentityGrain
{
    /// <summary>KeyPackages held for one identity: a few rooms' worth of invitations, bounded in storage (≈ 4 KiB each at most).</summary>
    public const int MaxKeyPackages = 32;

    /// <summary>Packages of this identity one claimer may take in <see cref="ClaimWindow"/>: enough to invite it to a few groups at once.</summary>
    public const int ClaimsPerWindow = 4;

    public static readonly TimeSpan ClaimWindow = TimeSpan.FromMinutes(1);

    /// <summary>When each claimer last claimed, in memory only: a reactivation forgets it, which only loosens the bound for a minute.</summary>
    private readonly Dictionary<string, Queue<DateTimeOffset>> claims = new(StringComparer.Ordinal);

    /// <summary>
    /// The stored history last verified (the very array) and when. Time only loosens a history's checks (no change
    /// from the future), so a verification that held then holds at any later time: while the state still holds that
    /// array, publishing group keys and KeyPackages need not verify its signatures again.
    /// </summary>
    private (byte[] History, DateTimeOffset At, VerifiedIdentity Identity)? verifiedHistory;

    /// <summary>
    /// The GroupSigning key last verified, from which stored history and attestation (the very arrays), and when: it
    /// holds at any later time up to the attestation's expiry, so each publish and claim need not verify it again.
    /// </summary>
    private (byte[] History, byte[] Attestation, DateTimeOffset At, VerifiedPurposeKey Key)? verifiedSigning;

    public async Task<IdentityPublication> PublishAsync(byte[] history)
    {
        var now = time.GetUtcNow();
        var (publication, next, verified) = Offer(history, now);
        if (next is not null)
        {
            await StoreAsync(next);
        }

        if (publication.Outcome == PublicationOutcome.Accepted)
        {
            verifiedHistory = (history, now, verified!);
        }

        return publication;
    }

    /// <summary>
    /// What publishing <paramref name="history"/> does, without doing it: the answer, the state to store (null for none),
    /// and the verified identity when the history is accepted or unchanged.
    /// </summary>
    private (IdentityPublication Publication, IdentityState? Next, VerifiedIdentity? Verified) Offer(byte[] history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(history);
        var current = state.State.History;
        if (state.State.Compromised)
        {
            return (new IdentityPublication(PublicationOutcome.Compromised, current, "this identity's history forked; it is compromised"), null, null);
        }

        ChangeHistory presented;
        VerifiedIdentity verified;
        try
        {
            presented = ChangeHistory.Decode(history);
            verified = presented.Verify(vault, now);
            if (presented.Identifier.ToString() != this.GetPrimaryKeyString())
            {
                return (new IdentityPublication(PublicationOutcome.Invalid, current, $"the history is of {presented.Identifier}, not {this.GetPrimaryKeyString()}"), null, null);
            }
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            return (new IdentityPublication(PublicationOutcome.Invalid, current, e.Message), null, null);
        }

        if (current is null)
        {
            return (new IdentityPublication(PublicationOutcome.Accepted, history, null), state.State with { History = history }, verified);
        }

        return ChangeHistory.Compare(ChangeHistory.Decode(current), presented) switch
        {
            HistoryComparison.Same => (new IdentityPublication(PublicationOutcome.Unchanged, current, null), null, verified),
            HistoryComparison.Extends => (new IdentityPublication(PublicationOutcome.Accepted, history, null), state.State with { History = history }, verified),
            HistoryComparison.Older => (new IdentityPublication(PublicationOutcome.RolledBack, current, "an older history than the one known"), null, null),
            _ => (new IdentityPublication(PublicationOutcome.Forked, current, "the history forks from the one known; the identity is now marked compromised"), state.State with { Compromised = true }, null),
        };
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
        var now = time.GetUtcNow();
        if (state.State is not { History: { } history, Compromised: false })
        {
            return false;
        }

        VerifiedPurposeKey? signing;
        try
        {
            signing = GroupKeys(VerifiedHistory(history, now), agreementAttestation, signingAttestation, now);
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            return false;
        }

        if (signing is null)
        {
            return false;
        }

        await StoreAsync(state.State with { GroupAgreement = agreementAttestation, GroupSigning = signingAttestation });
        verifiedSigning = (history, signingAttestation, now, signing);
        return true;
    }

    public async Task<KeyPackagePublication> PublishMemberKeysAsync(byte[] history, byte[] agreementAttestation, byte[] signingAttestation, byte[][] keyPackages)
    {
        ArgumentNullException.ThrowIfNull(keyPackages);
        var now = time.GetUtcNow();
        var (publication, next, identity) = Offer(history, now);
        if (identity is null)
        {
            // A fork marks the identity compromised, keys or not.
            if (next is not null)
            {
                await StoreAsync(next);
            }

            return new KeyPackagePublication(0, $"the history is refused ({publication.Outcome}): {publication.Reason}");
        }

        if (GroupKeys(identity, agreementAttestation, signingAttestation, now) is not { } signing)
        {
            return new KeyPackagePublication(0, "the group key attestations do not verify against this identity's history");
        }

        // Packages held are checked against the new GroupSigning key: ones signed by a key it replaces are dropped.
        var (held, added, refusal) = Admit(signing, keyPackages, now);
        if (refusal is not null)
        {
            return new KeyPackagePublication(held.Count, refusal);
        }

        // One write for all: an enrolling device's history and keys cost the store one row update, not three.
        await StoreAsync((next ?? state.State) with
        {
            GroupAgreement = agreementAttestation,
            GroupSigning = signingAttestation,
            KeyPackages = [.. held.Select(p => p.Encoded), .. added],
        });
        if (publication.Outcome == PublicationOutcome.Accepted)
        {
            verifiedHistory = (history, now, identity);
        }

        verifiedSigning = (state.State.History!, signingAttestation, now, signing);
        return new KeyPackagePublication(held.Count + added.Count, null);
    }

    /// <summary>The GroupSigning key of <paramref name="signingAttestation"/> if both attestations verify for <paramref name="identity"/> now; else null.</summary>
    private VerifiedPurposeKey? GroupKeys(VerifiedIdentity identity, byte[] agreementAttestation, byte[] signingAttestation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(agreementAttestation);
        ArgumentNullException.ThrowIfNull(signingAttestation);
        try
        {
            PurposeKeyAttestation.Decode(agreementAttestation).Verify(identity, Purpose.GroupKeyAgreement, vault, now);
            return PurposeKeyAttestation.Decode(signingAttestation).Verify(identity, Purpose.GroupSigning, vault, now);
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            return null;
        }
    }

    public Task<(byte[]? History, byte[]? Agreement, byte[]? Signing)> GetGroupKeysAsync() =>
        Task.FromResult((state.State.History, state.State.GroupAgreement, state.State.GroupSigning));

    public async Task<KeyPackagePublication> PublishKeyPackagesAsync(byte[][] keyPackages)
    {
        ArgumentNullException.ThrowIfNull(keyPackages);
        var now = time.GetUtcNow();
        if (SigningKey(now) is not { } signing)
        {
            return new KeyPackagePublication(0, "this identity has no valid GroupSigning attestation published: publish its group keys first");
        }

        var (held, added, refusal) = Admit(signing, keyPackages, now);
        if (refusal is not null)
        {
            return new KeyPackagePublication(held.Count, refusal);
        }

        if (added.Count > 0 || held.Count != state.State.KeyPackages.Length)
        {
            await StoreAsync(state.State with { KeyPackages = [.. held.Select(p => p.Encoded), .. added] });
        }

        return new KeyPackagePublication(held.Count + added.Count, null);
    }

    /// <summary>
    /// The stored packages still live under <paramref name="signing"/>, and those of <paramref name="keyPackages"/> new to
    /// them, each checked; or why none is admitted (one bad package, or more than <see cref="MaxKeyPackages"/> in all).
    /// </summary>
    private (List<(byte[] Encoded, string Ref)> Held, List<byte[]> Added, string? Refusal) Admit(VerifiedPurposeKey signing, byte[][] keyPackages, DateTimeOffset now)
    {
        var held = Live(signing, now);
        var known = held.Select(p => p.Ref).ToHashSet(StringComparer.Ordinal);
        var added = new List<byte[]>();
        for (var i = 0; i < keyPackages.Length; i++)
        {
            KeyPackage checkedPackage;
            try
            {
                checkedPackage = OckamKeyPackages.Check(vault, keyPackages[i] ?? [], Subject, signing.PublicKey, now);
            }
            catch (Exception e) when (e is OckamDecodeException or MlsCryptoException)
            {
                return (held, [], $"key package {i}: {e.Message}");
            }

            if (known.Add(RefOf(checkedPackage)))
            {
                added.Add(keyPackages[i]);
            }
        }

        return held.Count + added.Count > MaxKeyPackages
            ? (held, [], $"the silo holds {held.Count} key packages of this identity and keeps at most {MaxKeyPackages}")
            : (held, added, null);
    }

    public async Task<KeyPackageClaim> ClaimKeyPackageAsync(string claimer)
    {
        ArgumentNullException.ThrowIfNull(claimer);
        var now = time.GetUtcNow();
        // Claims older than the window are forgotten, and so are claimers with none left: memory stays bounded by the recent claimers.
        foreach (var (who, times) in claims)
        {
            while (times.TryPeek(out var oldest) && now - oldest >= ClaimWindow)
            {
                times.Dequeue();
            }

            if (times.Count == 0)
            {
                claims.Remove(who);
            }
        }

        var recent = claims.GetValueOrDefault(claimer) ?? new Queue<DateTimeOffset>();

        if (recent.Count >= ClaimsPerWindow)
        {
            return new KeyPackageClaim(KeyPackageClaimOutcome.TooMany);
        }

        var held = SigningKey(now) is { } signing ? Live(signing, now) : [];
        if (held.Count == 0)
        {
            if (state.State.KeyPackages.Length > 0)
            {
                await StoreAsync(state.State with { KeyPackages = [] });
            }

            return new KeyPackageClaim(KeyPackageClaimOutcome.NoneLeft);
        }

        // Deleted (and persisted) before it is handed out: a crash in between loses one package, never hands one out twice.
        await StoreAsync(state.State with { KeyPackages = [.. held.Skip(1).Select(p => p.Encoded)] });
        recent.Enqueue(now);
        claims[claimer] = recent;
        return new KeyPackageClaim(KeyPackageClaimOutcome.Claimed, state.State.History, state.State.GroupSigning, held[0].Encoded);
    }

    private Identifier Subject => Identifier.Parse(this.GetPrimaryKeyString());

    /// <summary>This identity's GroupSigning key, verified against its history now; null if it has none that is valid.</summary>
    private VerifiedPurposeKey? SigningKey(DateTimeOffset now)
    {
        if (state.State is not { History: { } history, GroupSigning: { } attestation, Compromised: false })
        {
            return null;
        }

        if (verifiedSigning is { } verified && ReferenceEquals(verified.History, history) && ReferenceEquals(verified.Attestation, attestation)
            && verified.At <= now && now <= verified.Key.ExpiresAt)
        {
            return verified.Key;
        }

        try
        {
            var identity = VerifiedHistory(history, now);
            var key = PurposeKeyAttestation.Decode(attestation).Verify(identity, Purpose.GroupSigning, vault, now);
            verifiedSigning = (history, attestation, now, key);
            return key;
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            return null;
        }
    }

    /// <summary>The stored <paramref name="history"/>, verified now, or earlier if it is still the one verified then.</summary>
    /// <exception cref="OckamDecodeException">It does not decode.</exception>
    /// <exception cref="IdentityException">It does not verify.</exception>
    private VerifiedIdentity VerifiedHistory(byte[] history, DateTimeOffset now)
    {
        if (verifiedHistory is { } known && ReferenceEquals(known.History, history) && known.At <= now)
        {
            return known.Identity;
        }

        var identity = ChangeHistory.Decode(history).Verify(vault, now);
        verifiedHistory = (history, now, identity);
        return identity;
    }

    /// <summary>
    /// The stored packages that still check now, oldest first: expired ones, and ones signed by a GroupSigning key the
    /// identity has since replaced, are dropped (an inviter would refuse them).
    /// </summary>
    private List<(byte[] Encoded, string Ref)> Live(VerifiedPurposeKey signing, DateTimeOffset now)
    {
        var live = new List<(byte[], string)>();
        foreach (var encoded in state.State.KeyPackages)
        {
            try
            {
                live.Add((encoded, RefOf(OckamKeyPackages.Check(vault, encoded, Subject, signing.PublicKey, now))));
            }
            catch (Exception e) when (e is OckamDecodeException or MlsCryptoException)
            {
                // No longer valid: left out.
            }
        }

        return live;
    }

    private static string RefOf(KeyPackage keyPackage) => Convert.ToHexString(keyPackage.ComputeRef(OckamKeyPackages.Suite));

    private Task StoreAsync(IdentityState next)
    {
        state.State = next;
        return state.WriteStateAsync();
    }
}
