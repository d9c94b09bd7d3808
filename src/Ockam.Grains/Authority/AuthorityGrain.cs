using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Orleans.Concurrency;

namespace Ockam.Grains.Authority;

/// <inheritdoc cref="IAuthorityGrain"/>
/// <remarks>
/// A stateless worker on every silo, many calls at once: it redeems tokens, records members and serials as rows
/// (<see cref="IAuthorityStore"/>) and signs with the authority's key, which every silo holds. It asks the
/// <see cref="IAuthorityLedgerGrain"/> (one activation) only for a block of serials now and then, and hands it what
/// changes revocation. Every decision on standing is taken twice: here, before anything is used up, and again in the
/// store's transaction that records the serial, so a revocation racing an enrolment never lets the credential out
/// unlisted.
/// </remarks>
[StatelessWorker, Reentrant, GrainType("ockam.authority-issuer")]
internal sealed class AuthorityGrain(
    IAuthorityStore store,
    AuthorityKeys keys,
    IOptions<AuthorityOptions> options,
    TimeProvider time) : Grain, IAuthorityGrain
{
    /// <summary>Serials reserved at a time: the ledger is asked once per block, and a restart skips at most the rest of one.</summary>
    internal const int SerialBlockSize = 256;

    /// <summary>Tokens the silo itself makes (the first admin's, in-cluster tooling): no member record stands behind them.</summary>
    private const string OperatorCreator = "operator";

    private ulong nextSerial;
    private ulong endSerial;

    private string Name => this.GetPrimaryKeyString();

    private IAuthorityLedgerGrain Ledger => GrainFactory.GetGrain<IAuthorityLedgerGrain>(Name);

    private CredentialIssuer Issuer => keys.Name == Name
        ? keys.Issuer
        : throw new InvalidOperationException($"this silo holds no keys for authority '{Name}'");

    public Task<byte[]> GetIdentityAsync() => Task.FromResult(Issuer.Identity.History.Encode());

    public async Task<TokenCreation> CreateTokenAsync(string creator, IReadOnlyDictionary<string, byte[]> attributes, TimeSpan validFor, int uses)
    {
        ArgumentNullException.ThrowIfNull(creator);
        ArgumentNullException.ThrowIfNull(attributes);
        if (TokenProblem(attributes, validFor, uses) is { } problem)
        {
            return TokenCreation.Refused(AuthorityOutcome.InvalidRequest, problem);
        }

        // The creator's standing now, in its row: a revoked, suspended or demoted member whose channel still shows an
        // older credential grants nothing it no longer holds.
        if (GrantScope.Refusal(creator, await MemberAsync(creator), attributes) is { } refusal)
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

        // Decided before the token is looked at: a refused identity uses up no redemption, and the store's "retry by
        // the same redeemer" never brings back an identity revoked since.
        if (Refusal(subject, await MemberAsync(subject)) is { } refused)
        {
            return refused;
        }

        // Everything that refuses is decided before a use is taken: a refusal uses nothing up.
        var tokenHash = TokenHash(token);
        var grant = await GrainFactory.GetGrain<IEnrollmentTokenGrain>(tokenHash).GetGrantAsync();
        if (grant is null || grant.Authority != Name)
        {
            return AuthorityResult.Refused(AuthorityOutcome.TokenUnknown, grant is null ? "no such token" : "the token is not this authority's");
        }

        // An expired token is expired for its redeemers too, so an old token cannot bring back attributes long after
        // it was meant to be used.
        if (time.GetUtcNow() > grant.ExpiresAt)
        {
            return AuthorityResult.Refused(AuthorityOutcome.TokenExpired, "the token has expired");
        }

        // A token is only as good as its creator's standing now: what a revoked, suspended or demoted creator
        // handed out before stops working with it.
        if (!await CreatorStillGrantsAsync(grant))
        {
            return AuthorityResult.Refused(AuthorityOutcome.Denied, "the token's creator may no longer grant what it grants");
        }

        // The use and the serial in one transaction (one wait for the disk): the store takes a use only while one is
        // free, so of any number of concurrent redeemers on any silo exactly the token's count win; a redeemer asking
        // again (its answer was lost) uses nothing and gets a renewal of what the token gave it.
        var issuance = await NewIssuanceAsync(subject, IssuanceKind.Grant, grant.Attributes);
        var (redemption, recorded) = await store.RedeemAndRecordAsync(Name, tokenHash, grant.DistinctRedeemers, issuance, CancellationToken.None);
        if (recorded is null)
        {
            return AuthorityResult.Refused(AuthorityOutcome.TokenUsed, "the token has been used");
        }

        // A retry returns the grant only to a member that still holds it: an identity demoted, or readmitted after a
        // revocation (and so no member), does not get its old attributes back from an old token.
        var retry = redemption == RedemptionOutcome.Retry;
        var result = await SignedAsync(retry ? issuance.AsRenewal() : issuance, recorded);
        return retry && result.Outcome is AuthorityOutcome.NotAMember
            ? AuthorityResult.Refused(AuthorityOutcome.TokenUsed, "this identity redeemed the token before, and what it granted no longer stands")
            : result;
    }

    public async Task<AuthorityResult> GetCredentialAsync(string subject) =>
        Refusal(subject, await MemberAsync(subject)) ?? await IssueAsync(subject, IssuanceKind.Renew, attributes: null);

    public async Task<AuthorityResult> IssueAsync(string subject, IReadOnlyDictionary<string, byte[]> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (!Identifier.TryParse(subject, out _))
        {
            return AuthorityResult.Refused(AuthorityOutcome.InvalidRequest, "not an identifier");
        }

        return Refusal(subject, await MemberAsync(subject)) ?? await IssueAsync(subject, IssuanceKind.Grant, attributes);
    }

    public Task<AuthorityResult> DelegateAsync(string subject, IReadOnlyList<string> attributes) =>
        IssueAsync(subject, new Dictionary<string, byte[]> { [Delegation.AttributeName] = Delegation.Encode(attributes) });

    public Task<byte[]> RevokeAsync(ulong serial) => Ledger.RevokeAsync(serial);

    public Task<byte[]> RevokeMemberAsync(string subject) => Ledger.RevokeMemberAsync(subject);

    public Task<ReadmitOutcome> ReadmitAsync(string admin, string subject) => Ledger.ReadmitAsync(admin, subject);

    public Task<byte[]> GetRevocationListAsync() => Ledger.GetRevocationListAsync();

    public Task<RevocationNotice> GetRevocationNoticeAsync() => Ledger.GetRevocationNoticeAsync();

    public async Task<MemberStanding> GetStandingAsync(string subject)
    {
        var member = await MemberAsync(subject);
        var status = member?.Status ?? MemberStatus.NotAMember;
        return new MemberStanding(status, status == MemberStatus.Member ? new Dictionary<string, byte[]>(member!.Attributes, StringComparer.Ordinal) : new Dictionary<string, byte[]>());
    }

    /// <summary>Tokens are stored under their hash: a leak of the store reveals no usable token.</summary>
    internal static string TokenHash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Why <paramref name="subject"/> gets nothing now (revoked, or suspended), or null if it is in good standing.</summary>
    private static AuthorityResult? Refusal(string subject, MemberRecord? member) => member?.Status switch
    {
        MemberStatus.Revoked => AuthorityResult.Refused(AuthorityOutcome.Revoked, $"{subject} has been revoked; only an admin can readmit it"),
        MemberStatus.Suspended => AuthorityResult.Refused(AuthorityOutcome.Suspended, $"{subject} is suspended (a credential of it was revoked); only an admin can readmit it"),
        _ => null,
    };

    private Task<MemberRecord?> MemberAsync(string subject) => store.GetMemberAsync(Name, subject, CancellationToken.None);

    private async Task<bool> CreatorStillGrantsAsync(TokenGrant grant)
    {
        if (grant.CreatedBy == OperatorCreator)
        {
            return true;
        }

        var creator = await MemberAsync(grant.CreatedBy);
        return GrantScope.Refusal(grant.CreatedBy, creator, grant.Attributes) is null && grant.CreatedAt >= creator!.Since;
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
        var grant = new TokenGrant(Name, new Dictionary<string, byte[]>(attributes, StringComparer.Ordinal), time.GetUtcNow() + validFor, createdBy, uses, time.GetUtcNow());
        if (!await GrainFactory.GetGrain<IEnrollmentTokenGrain>(TokenHash(token)).CreateAsync(grant))
        {
            throw new InvalidOperationException("a token collision: retry");
        }

        return token;
    }

    /// <summary>Records a fresh serial for <paramref name="subject"/> (if its standing, decided in the store's transaction, allows) and only then signs.</summary>
    private async Task<AuthorityResult> IssueAsync(string subject, IssuanceKind kind, IReadOnlyDictionary<string, byte[]>? attributes)
    {
        var issuance = await NewIssuanceAsync(subject, kind, attributes);
        return await SignedAsync(issuance, await store.RecordIssuanceAsync(Name, issuance, CancellationToken.None));
    }

    /// <summary>What to record for a credential to <paramref name="subject"/> now, under a serial never used before.</summary>
    private async Task<Issuance> NewIssuanceAsync(string subject, IssuanceKind kind, IReadOnlyDictionary<string, byte[]>? attributes)
    {
        var serial = await NextSerialAsync();
        var now = time.GetUtcNow();
        return new Issuance
        {
            Subject = subject,
            Kind = kind,
            Attributes = attributes,
            Serial = serial,
            IssuedAt = now,
            ExpiresAt = now + options.Value.CredentialLifetime,
            MaxUnexpired = options.Value.MaxCredentialsPerLifetime,
        };
    }

    /// <summary>The credential for <paramref name="issuance"/> if the store recorded it, else why not.</summary>
    private async Task<AuthorityResult> SignedAsync(Issuance issuance, IssuanceResult recorded)
    {
        var subject = issuance.Subject;

        // A refused serial is never signed: it is skipped, never reused.
        switch (recorded.Outcome)
        {
            case IssuanceOutcome.Recorded:
                var credential = Issuer.Issue(Identifier.Parse(subject), recorded.Attributes!, options.Value.CredentialLifetime, issuance.Serial);
                return new AuthorityResult(AuthorityOutcome.Issued, credential.Encode(), issuance.Serial, null);
            case IssuanceOutcome.Revoked:
            case IssuanceOutcome.Suspended:
                return Refusal(subject, await MemberAsync(subject))
                    ?? AuthorityResult.Refused(AuthorityOutcome.Denied, $"{subject}'s standing changed meanwhile; ask again");
            case IssuanceOutcome.TooMany:
                return AuthorityResult.Refused(AuthorityOutcome.Denied, $"{subject} holds {options.Value.MaxCredentialsPerLifetime} unexpired credentials already; ask again later");
            default:
                return AuthorityResult.Refused(AuthorityOutcome.NotAMember, issuance.Kind == IssuanceKind.Renew && issuance.Attributes is not null
                    ? $"{subject} no longer holds what it was granted"
                    : $"{subject} is not a member");
        }
    }

    /// <summary>The next serial of this activation's block, reserving a new block from the ledger when it is used up.</summary>
    private async Task<ulong> NextSerialAsync()
    {
        if (nextSerial == endSerial)
        {
            var block = await Ledger.ReserveSerialsAsync(SerialBlockSize);

            // Calls interleave: another may have refilled meanwhile. Its block is then left unused (skipped, never reused).
            if (nextSerial == endSerial)
            {
                (nextSerial, endSerial) = (block.First, block.First + (ulong)block.Count);
            }
        }

        return nextSerial++;
    }
}
