using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;

namespace Ockam.Grains.Authority;

/// <inheritdoc cref="IAuthorityGrain"/>
internal sealed class AuthorityGrain(
    [PersistentState("authority", Storage.ProviderName)] IPersistentState<AuthorityState> state,
    AuthorityKeys keys,
    IOptions<AuthorityOptions> options,
    TimeProvider time) : Grain, IAuthorityGrain
{
    private CredentialIssuer Issuer => keys.Name == this.GetPrimaryKeyString()
        ? keys.Issuer
        : throw new InvalidOperationException($"this silo holds no keys for authority '{this.GetPrimaryKeyString()}'");

    public Task<byte[]> GetIdentityAsync() => Task.FromResult(Issuer.Identity.History.Encode());

    public async Task<TokenCreation> CreateTokenAsync(string creator, IReadOnlyDictionary<string, byte[]> attributes, TimeSpan validFor, int uses)
    {
        ArgumentNullException.ThrowIfNull(creator);
        ArgumentNullException.ThrowIfNull(attributes);
        if (TokenProblem(attributes, validFor, uses) is { } problem)
        {
            return TokenCreation.Refused(AuthorityOutcome.InvalidRequest, problem);
        }

        // The creator's standing now, in this grain's state: a revoked, suspended or demoted member whose
        // channel still shows an older credential grants nothing it no longer holds.
        if (GrantScope.Refusal(creator, state.State.Members.GetValueOrDefault(creator), attributes) is { } refusal)
        {
            return TokenCreation.Refused(AuthorityOutcome.Denied, refusal);
        }

        return TokenCreation.Created(await NewTokenAsync(attributes, validFor, uses, creator));
    }

    public async Task<string> CreateOperatorTokenAsync(IReadOnlyDictionary<string, byte[]> attributes, TimeSpan validFor, int uses)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return TokenProblem(attributes, validFor, uses) is { } problem
            ? throw new ArgumentException(problem, nameof(attributes))
            : await NewTokenAsync(attributes, validFor, uses, OperatorCreator);
    }

    public async Task<AuthorityResult> EnrollAsync(string token, string subject)
    {
        if (!Identifier.TryParse(subject, out _))
        {
            return AuthorityResult.Refused(AuthorityOutcome.InvalidRequest, "not an identifier");
        }

        // Decided before the token grain is asked: a refused identity uses up no redemption, and the token
        // grain's "retry by the same redeemer" never brings back an identity revoked since.
        if (Standing(subject) is { } refused)
        {
            return refused;
        }

        // A token is only as good as its creator's standing now: what a revoked, suspended or demoted creator
        // handed out before stops working with it. Checked before redeeming, so a refusal uses nothing up.
        var tokenGrain = GrainFactory.GetGrain<IEnrollmentTokenGrain>(TokenHash(token));
        if (await tokenGrain.GetGrantAsync() is { } offered && !CreatorStillGrants(offered))
        {
            return AuthorityResult.Refused(AuthorityOutcome.Denied, "the token's creator may no longer grant what it grants");
        }

        var redemption = await tokenGrain.RedeemAsync(subject);
        switch (redemption.Outcome)
        {
            case TokenOutcome.Unknown:
                return AuthorityResult.Refused(AuthorityOutcome.TokenUnknown, "no such token");
            case TokenOutcome.Expired:
                return AuthorityResult.Refused(AuthorityOutcome.TokenExpired, "the token has expired");
            case TokenOutcome.AlreadyUsed:
                return AuthorityResult.Refused(AuthorityOutcome.TokenUsed, "the token has been used");
        }

        var grant = redemption.Grant!;
        if (grant.Authority != this.GetPrimaryKeyString())
        {
            return AuthorityResult.Refused(AuthorityOutcome.TokenUnknown, "the token is not this authority's");
        }

        // A retry returns the grant only to a member that still holds it: an identity demoted, or readmitted
        // after a revocation (and so no member), does not get its old attributes back from an old token.
        state.State.Members.TryGetValue(subject, out var known);
        if (redemption.Retry && (known is null || !SameAttributes(known.Attributes, grant.Attributes)))
        {
            return AuthorityResult.Refused(AuthorityOutcome.TokenUsed, "this identity redeemed the token before, and what it granted no longer stands");
        }

        var attributes = new Dictionary<string, byte[]>(grant.Attributes, StringComparer.Ordinal);
        state.State.Members[subject] = WithAttributes(known, attributes);
        return await IssueToAsync(subject, attributes);
    }

    public async Task<AuthorityResult> GetCredentialAsync(string subject) =>
        Standing(subject) ?? (state.State.Members.TryGetValue(subject, out var member)
            ? await IssueToAsync(subject, member.Attributes)
            : AuthorityResult.Refused(AuthorityOutcome.NotAMember, $"{subject} is not a member"));

    public async Task<AuthorityResult> IssueAsync(string subject, IReadOnlyDictionary<string, byte[]> attributes)
    {
        if (!Identifier.TryParse(subject, out _))
        {
            return AuthorityResult.Refused(AuthorityOutcome.InvalidRequest, "not an identifier");
        }

        if (Standing(subject) is { } refused)
        {
            return refused;
        }

        var copy = new Dictionary<string, byte[]>(attributes, StringComparer.Ordinal);
        state.State.Members[subject] = WithAttributes(state.State.Members.GetValueOrDefault(subject), copy);
        return await IssueToAsync(subject, copy);
    }

    public Task<AuthorityResult> DelegateAsync(string subject, IReadOnlyList<string> attributes) =>
        IssueAsync(subject, new Dictionary<string, byte[]> { [Delegation.AttributeName] = Delegation.Encode(attributes) });

    public async Task<byte[]> RevokeAsync(ulong serial)
    {
        state.State.Revoked.Add(serial);

        // A revoked credential means its holder is in doubt (a stolen key, a lost device): without the
        // suspension it would simply ask for a fresh credential and carry on.
        if (state.State.Members.FirstOrDefault(m => m.Value.Serials.Contains(serial)) is { Value: { } holder } entry)
        {
            state.State.Members[entry.Key] = holder with { Suspended = true };

            // Every credential it holds, not just the one named: another unexpired serial would still open channels.
            // (Expired ones need no listing; members recorded before issue times were kept have all theirs listed.)
            state.State.Revoked.UnionWith(holder.IssuedAt is { } issued ? issued.Keys : holder.Serials);
        }

        return await PublishRevocationListAsync();
    }

    public async Task<byte[]> RevokeMemberAsync(string subject)
    {
        if (state.State.Members.Remove(subject, out var member))
        {
            state.State.Revoked.UnionWith(member.Serials);
        }

        state.State.RevokedSubjects.Add(subject);
        return await PublishRevocationListAsync();
    }

    public async Task<ReadmitOutcome> ReadmitAsync(string admin, string subject)
    {
        if (Standing(admin) is not null || !state.State.Members.TryGetValue(admin, out var caller)
            || TokenAttributes.Text(caller.Attributes, TokenAttributes.Role) != GrantScope.Admin)
        {
            return ReadmitOutcome.Denied;
        }

        var readmitted = state.State.RevokedSubjects.Remove(subject);
        if (state.State.Members.TryGetValue(subject, out var member) && member.Suspended)
        {
            // Its revoked serials stay revoked; the next credential has a new serial.
            state.State.Members[subject] = member with { Suspended = false, Since = time.GetUtcNow() };
            readmitted = true;
        }

        if (!readmitted)
        {
            return ReadmitOutcome.NothingToLift;
        }

        await state.WriteStateAsync();
        return ReadmitOutcome.Readmitted;
    }

    public async Task<byte[]> GetRevocationListAsync()
    {
        if (state.State.RevocationList is { } current)
        {
            var list = RevocationList.Decode(current);
            if (list.Data.NextUpdate - time.GetUtcNow() > options.Value.RevocationListValidity / 2)
            {
                return current;
            }
        }

        return await PublishRevocationListAsync();
    }

    public async Task<RevocationNotice> GetRevocationNoticeAsync() =>
        new(await GetRevocationListAsync(), [.. state.State.RevokedSubjects]);

    public Task<MemberStanding> GetStandingAsync(string subject)
    {
        state.State.Members.TryGetValue(subject, out var member);
        var status = state.State.RevokedSubjects.Contains(subject) ? MemberStatus.Revoked
            : member is null ? MemberStatus.NotAMember
            : member.Suspended ? MemberStatus.Suspended
            : MemberStatus.Member;
        return Task.FromResult(new MemberStanding(status, status == MemberStatus.Member ? new Dictionary<string, byte[]>(member!.Attributes, StringComparer.Ordinal) : new Dictionary<string, byte[]>()));
    }

    /// <summary>Tokens the silo itself makes (the first admin's, in-cluster tooling): no member record stands behind them.</summary>
    private const string OperatorCreator = "operator";

    private bool CreatorStillGrants(TokenGrant grant) =>
        grant.CreatedBy == OperatorCreator
        || (Standing(grant.CreatedBy) is null
            && GrantScope.Refusal(grant.CreatedBy, state.State.Members.GetValueOrDefault(grant.CreatedBy), grant.Attributes) is null
            && grant.CreatedAt >= state.State.Members[grant.CreatedBy].Since);

    /// <summary>A member's record with these attributes; a change of attributes starts a new standing.</summary>
    private Member WithAttributes(Member? known, Dictionary<string, byte[]> attributes) =>
        known is not null && SameAttributes(known.Attributes, attributes)
            ? known
            : new Member(attributes, known?.Serials ?? [], known?.Suspended ?? false, time.GetUtcNow()) { IssuedAt = known?.IssuedAt };

    private static bool SameAttributes(Dictionary<string, byte[]> a, IReadOnlyDictionary<string, byte[]> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var value) && value.AsSpan().SequenceEqual(p.Value));

    /// <summary>Why <paramref name="subject"/> gets nothing now (revoked, or suspended), or null if it is in good standing.</summary>
    private AuthorityResult? Standing(string subject)
    {
        if (state.State.RevokedSubjects.Contains(subject))
        {
            return AuthorityResult.Refused(AuthorityOutcome.Revoked, $"{subject} has been revoked; only an admin can readmit it");
        }

        return state.State.Members.TryGetValue(subject, out var member) && member.Suspended
            ? AuthorityResult.Refused(AuthorityOutcome.Suspended, $"{subject} is suspended (a credential of it was revoked); only an admin can readmit it")
            : null;
    }

    private string? TokenProblem(IReadOnlyDictionary<string, byte[]> attributes, TimeSpan validFor, int uses)
    {
        if (validFor <= TimeSpan.Zero || validFor > options.Value.MaxTokenLifetime)
        {
            return $"a token is valid for up to {options.Value.MaxTokenLifetime}";
        }

        if (uses < 1 || uses > options.Value.MaxTokenUses)
        {
            return $"a token has 1 to {options.Value.MaxTokenUses} uses";
        }

        return TokenAttributes.Problem(attributes);
    }

    private async Task<string> NewTokenAsync(IReadOnlyDictionary<string, byte[]> attributes, TimeSpan validFor, int uses, string createdBy)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var grant = new TokenGrant(this.GetPrimaryKeyString(), new Dictionary<string, byte[]>(attributes, StringComparer.Ordinal), time.GetUtcNow() + validFor, createdBy, uses, time.GetUtcNow());
        if (!await GrainFactory.GetGrain<IEnrollmentTokenGrain>(TokenHash(token)).CreateAsync(grant))
        {
            throw new InvalidOperationException("a token collision: retry");
        }

        return token;
    }

    private async Task<AuthorityResult> IssueToAsync(string subject, Dictionary<string, byte[]> attributes)
    {
        var member = state.State.Members[subject];
        var issued = member.IssuedAt ??= [];
        var now = time.GetUtcNow();
        foreach (var expired in issued.Where(i => now - i.Value > options.Value.CredentialLifetime).Select(i => i.Key).ToList())
        {
            issued.Remove(expired);
        }

        if (issued.Count >= options.Value.MaxCredentialsPerLifetime)
        {
            return AuthorityResult.Refused(AuthorityOutcome.Denied, $"{subject} holds {issued.Count} unexpired credentials already; ask again later");
        }

        var serial = state.State.NextSerial;
        member.Serials.Add(serial);
        issued[serial] = now;
        state.State = state.State with { NextSerial = serial + 1 };

        // Stored before signing: a crash after this wastes a serial, never reuses one.
        await state.WriteStateAsync();
        var credential = Issuer.Issue(Identifier.Parse(subject), attributes, options.Value.CredentialLifetime, serial);
        return new AuthorityResult(AuthorityOutcome.Issued, credential.Encode(), serial, null);
    }

    private async Task<byte[]> PublishRevocationListAsync()
    {
        var sequence = state.State.RevocationSequence + 1;
        var list = Issuer.IssueRevocationList(sequence, state.State.Revoked, options.Value.RevocationListValidity).Encode();
        state.State = state.State with { RevocationSequence = sequence, RevocationList = list };
        await state.WriteStateAsync();
        return list;
    }

    /// <summary>Tokens are stored under their hash: a leak of the store reveals no usable token.</summary>
    internal static string TokenHash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
