using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;

namespace Ockam.Grains.Authority;

/// <inheritdoc cref="IAuthorityLedgerGrain"/>
/// <remarks>
/// Its grain type is the one the whole authority had when it kept every member in its state, so that it finds that
/// state and moves it into rows on its first activation.
/// </remarks>
[GrainType("authority")]
internal sealed class AuthorityLedgerGrain(
    [PersistentState("authority", Storage.ProviderName)] IPersistentState<AuthorityState> state,
    IAuthorityStore store,
    AuthorityKeys keys,
    IOptions<AuthorityOptions> options,
    TimeProvider time) : Grain, IAuthorityLedgerGrain
{
    /// <summary>The most serials one block may reserve.</summary>
    internal const int MaxSerialBlock = 4096;

    private string Name => this.GetPrimaryKeyString();

    private CredentialIssuer Issuer => keys.Name == Name
        ? keys.Issuer
        : throw new InvalidOperationException($"this silo holds no keys for authority '{Name}'");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.HoldsRows)
        {
            await MoveIntoRowsAsync(cancellationToken);
        }
    }

    public async Task<SerialBlock> ReserveSerialsAsync(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxSerialBlock);
        var first = state.State.NextSerial;
        state.State = state.State with { NextSerial = checked(first + (ulong)count) };

        // Stored before the block is handed out: a crash after this skips the block, never reuses it.
        await state.WriteStateAsync();
        return new SerialBlock(first, count);
    }

    public async Task<byte[]> RevokeAsync(ulong serial)
    {
        // A revoked credential means its holder is in doubt (a stolen key, a lost device): the store suspends it, or
        // it would simply ask for a fresh credential and carry on, and lists every unexpired credential it holds.
        await store.RevokeSerialAsync(Name, serial, time.GetUtcNow(), CancellationToken.None);
        return await PublishRevocationListAsync();
    }

    public async Task<byte[]> RevokeMemberAsync(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await store.RevokeMemberAsync(Name, subject, time.GetUtcNow(), CancellationToken.None);
        return await PublishRevocationListAsync();
    }

    public async Task<ReadmitOutcome> ReadmitAsync(string admin, string subject)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(subject);
        var caller = await store.GetMemberAsync(Name, admin, CancellationToken.None);
        if (caller is not { Status: MemberStatus.Member } || TokenAttributes.Text(caller.Attributes, TokenAttributes.Role) != GrantScope.Admin)
        {
            return ReadmitOutcome.Denied;
        }

        return await store.ReadmitAsync(Name, subject, time.GetUtcNow(), CancellationToken.None)
            ? ReadmitOutcome.Readmitted
            : ReadmitOutcome.NothingToLift;
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
        new(await GetRevocationListAsync(), await store.GetRevokedSubjectsAsync(Name, CancellationToken.None));

    /// <summary>Signs the list of every revoked serial, as the rows hold them now, under the next sequence.</summary>
    private async Task<byte[]> PublishRevocationListAsync()
    {
        var revoked = await store.GetRevokedSerialsAsync(Name, CborLimits.MaxRevokedSerials + 1, CancellationToken.None);
        var sequence = state.State.RevocationSequence + 1;
        var list = Issuer.IssueRevocationList(sequence, revoked, options.Value.RevocationListValidity).Encode();
        state.State = state.State with { RevocationSequence = sequence, RevocationList = list };
        await state.WriteStateAsync();
        return list;
    }

    /// <summary>
    /// The one-time move of members, serials and revocations out of the grain state (where they were kept before they
    /// were rows). The rows are written first and the import is idempotent, so a crash between the two repeats it.
    /// </summary>
    private async Task MoveIntoRowsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lifetime = options.Value.CredentialLifetime;
        var members = state.State.Members.Select(m => new ImportedMember(
            m.Key,
            new MemberRecord(m.Value.Suspended ? MemberStatus.Suspended : MemberStatus.Member, m.Value.Attributes, m.Value.Since),
            [.. m.Value.Serials.Select(serial =>
            {
                // Without an issue time (kept for unexpired credentials only), a credential is taken to be as fresh as it could be.
                var issuedAt = m.Value.IssuedAt is { } issued ? issued.GetValueOrDefault(serial, now - lifetime) : now;
                return (serial, issuedAt, issuedAt + lifetime);
            })])).ToList();
        await store.ImportAsync(Name, new AuthorityImport
        {
            Members = members,
            RevokedSerials = state.State.Revoked,
            RevokedSubjects = state.State.RevokedSubjects,
        }, cancellationToken);
        state.State = state.State with { Members = [], Revoked = [], RevokedSubjects = [] };
        await state.WriteStateAsync(cancellationToken);
    }
}
