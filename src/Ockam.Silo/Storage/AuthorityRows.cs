using System.Data.Common;
using Ockam.Grains.Authority;
using Ockam.Grains.Contracts;

namespace Ockam.Silo.Storage;

/// <summary>
/// The statements over an authority's rows (tables AuthorityMember, AuthoritySerial, AuthorityRevocation, TokenUse and
/// TokenRedemption, from Schema/), in the SQL that SQLite and PostgreSQL share, on one connection and (for writes) one
/// transaction. Times are UTC ticks; a member's status is its <see cref="MemberStatus"/>.
/// </summary>
internal sealed class AuthorityRows(DbConnection connection, DbTransaction? transaction, string serviceId, bool lockRows)
{
    private const string Member = "ServiceId = @service AND Authority = @authority AND Subject = @subject";

    public async Task<MemberRecord?> GetMemberAsync(string authority, string subject, CancellationToken cancellationToken)
    {
        // Locked in PostgreSQL, so that an issuance and a revocation of one member on two silos take turns.
        await using var command = Command(
            $"SELECT Status, Since, Attributes FROM AuthorityMember WHERE {Member}{(lockRows && transaction is not null ? " FOR UPDATE" : "")}",
            ("authority", authority), ("subject", subject));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var status = (MemberStatus)reader.GetInt32(0);
        if (status is not (MemberStatus.Member or MemberStatus.Suspended or MemberStatus.Revoked))
        {
            throw new InvalidDataException($"member {subject} of {authority}: unknown status {(int)status}");
        }

        return new MemberRecord(status, MemberAttributes.Decode((byte[])reader.GetValue(2)), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero));
    }

    public async Task<IssuanceResult> RecordIssuanceAsync(string authority, Issuance issuance, CancellationToken cancellationToken)
    {
        var now = issuance.IssuedAt.UtcTicks;
        if (issuance.Kind == IssuanceKind.Grant)
        {
            await ExecuteAsync(
                "INSERT INTO AuthorityMember (ServiceId, Authority, Subject, Status, Since, Attributes) VALUES (@service, @authority, @subject, @status, @now, @attributes) ON CONFLICT (ServiceId, Authority, Subject) DO NOTHING",
                cancellationToken,
                ("authority", authority), ("subject", issuance.Subject), ("status", (int)MemberStatus.Member), ("now", now), ("attributes", MemberAttributes.Encode(issuance.Attributes!))).ConfigureAwait(false);
        }

        var member = await GetMemberAsync(authority, issuance.Subject, cancellationToken).ConfigureAwait(false);
        switch (member?.Status)
        {
            case null:
                return IssuanceResult.Refused(IssuanceOutcome.NotAMember);
            case MemberStatus.Revoked:
                return IssuanceResult.Refused(IssuanceOutcome.Revoked);
            case MemberStatus.Suspended:
                return IssuanceResult.Refused(IssuanceOutcome.Suspended);
        }

        var changes = issuance.Attributes is { } attributes && !member.Holds(attributes);
        if (changes && issuance.Kind == IssuanceKind.Renew)
        {
            return IssuanceResult.Refused(IssuanceOutcome.NotHeld);
        }

        var unexpired = await ScalarAsync(
            "SELECT count(*) FROM AuthoritySerial WHERE ServiceId = @service AND Authority = @authority AND Subject = @subject AND ExpiresAt > @now",
            cancellationToken, ("authority", authority), ("subject", issuance.Subject), ("now", now)).ConfigureAwait(false);
        if (unexpired >= issuance.MaxUnexpired)
        {
            return IssuanceResult.Refused(IssuanceOutcome.TooMany);
        }

        if (changes)
        {
            // A change of attributes starts a new standing: tokens the member made before do not outlive it.
            await ExecuteAsync(
                $"UPDATE AuthorityMember SET Attributes = @attributes, Since = @now WHERE {Member}",
                cancellationToken, ("authority", authority), ("subject", issuance.Subject), ("now", now), ("attributes", MemberAttributes.Encode(issuance.Attributes!))).ConfigureAwait(false);
        }

        await ExecuteAsync(
            "INSERT INTO AuthoritySerial (ServiceId, Authority, Serial, Subject, IssuedAt, ExpiresAt) VALUES (@service, @authority, @serial, @subject, @now, @expires)",
            cancellationToken,
            ("authority", authority), ("serial", checked((long)issuance.Serial)), ("subject", issuance.Subject), ("now", now), ("expires", issuance.ExpiresAt.UtcTicks)).ConfigureAwait(false);
        return new IssuanceResult(IssuanceOutcome.Recorded, changes ? issuance.Attributes : member.Attributes);
    }

    public async Task RevokeSerialAsync(string authority, ulong serial, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await InsertRevocationAsync(authority, serial, now, cancellationToken).ConfigureAwait(false);
        await using var holder = Command(
            "SELECT Subject FROM AuthoritySerial WHERE ServiceId = @service AND Authority = @authority AND Serial = @serial",
            ("authority", authority), ("serial", checked((long)serial)));
        if (await holder.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string subject)
        {
            return;
        }

        // Suspended first (in PostgreSQL this waits for an issuance to the member in flight), then every credential it
        // holds unexpired is listed, the issuance's included: another would still open channels.
        await ExecuteAsync(
            $"UPDATE AuthorityMember SET Status = @suspended WHERE {Member} AND Status = @member",
            cancellationToken, ("authority", authority), ("subject", subject), ("suspended", (int)MemberStatus.Suspended), ("member", (int)MemberStatus.Member)).ConfigureAwait(false);
        await ExecuteAsync(
            """
            INSERT INTO AuthorityRevocation (ServiceId, Authority, Serial, Subject, RevokedAt)
            SELECT ServiceId, Authority, Serial, Subject, @now FROM AuthoritySerial
             WHERE ServiceId = @service AND Authority = @authority AND Subject = @subject AND ExpiresAt > @now
            ON CONFLICT (ServiceId, Authority, Serial) DO NOTHING
            """,
            cancellationToken, ("authority", authority), ("subject", subject), ("now", now.UtcTicks)).ConfigureAwait(false);
    }

    public async Task RevokeMemberAsync(string authority, string subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ExecuteAsync(
            """
            INSERT INTO AuthorityMember (ServiceId, Authority, Subject, Status, Since, Attributes) VALUES (@service, @authority, @subject, @revoked, @now, @none)
            ON CONFLICT (ServiceId, Authority, Subject) DO UPDATE SET Status = excluded.Status, Since = excluded.Since, Attributes = excluded.Attributes
            """,
            cancellationToken,
            ("authority", authority), ("subject", subject), ("revoked", (int)MemberStatus.Revoked), ("now", now.UtcTicks), ("none", MemberAttributes.Encode(new Dictionary<string, byte[]>()))).ConfigureAwait(false);
        await ExecuteAsync(
            """
            INSERT INTO AuthorityRevocation (ServiceId, Authority, Serial, Subject, RevokedAt)
            SELECT ServiceId, Authority, Serial, Subject, @now FROM AuthoritySerial
             WHERE ServiceId = @service AND Authority = @authority AND Subject = @subject
            ON CONFLICT (ServiceId, Authority, Serial) DO NOTHING
            """,
            cancellationToken, ("authority", authority), ("subject", subject), ("now", now.UtcTicks)).ConfigureAwait(false);
    }

    public async Task<bool> ReadmitAsync(string authority, string subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Revoked as a member: no member afterwards (it may enrol again). Suspended: a member again, with a new standing.
        return await ExecuteAsync(
                $"DELETE FROM AuthorityMember WHERE {Member} AND Status = @revoked",
                cancellationToken, ("authority", authority), ("subject", subject), ("revoked", (int)MemberStatus.Revoked)).ConfigureAwait(false) > 0
            || await ExecuteAsync(
                $"UPDATE AuthorityMember SET Status = @member, Since = @now WHERE {Member} AND Status = @suspended",
                cancellationToken, ("authority", authority), ("subject", subject), ("member", (int)MemberStatus.Member), ("suspended", (int)MemberStatus.Suspended), ("now", now.UtcTicks)).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<ulong>> GetRevokedSerialsAsync(string authority, int max, CancellationToken cancellationToken)
    {
        await using var command = Command(
            "SELECT Serial FROM AuthorityRevocation WHERE ServiceId = @service AND Authority = @authority ORDER BY Serial LIMIT @max",
            ("authority", authority), ("max", (long)max));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var serials = new List<ulong>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            serials.Add(checked((ulong)reader.GetInt64(0)));
        }

        return serials;
    }

    public async Task<IReadOnlyList<string>> GetRevokedSubjectsAsync(string authority, CancellationToken cancellationToken)
    {
        await using var command = Command(
            "SELECT Subject FROM AuthorityMember WHERE ServiceId = @service AND Authority = @authority AND Status = @revoked ORDER BY Subject",
            ("authority", authority), ("revoked", (int)MemberStatus.Revoked));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var subjects = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            subjects.Add(reader.GetString(0));
        }

        return subjects;
    }

    public async Task<(RedemptionOutcome Redemption, IssuanceResult? Issuance)> RedeemAndRecordAsync(string authority, string token, int uses, Issuance grant, CancellationToken cancellationToken)
    {
        var redemption = await RedeemAsync(token, grant.Subject, uses, grant.IssuedAt, cancellationToken).ConfigureAwait(false);
        return redemption switch
        {
            RedemptionOutcome.UsedUp => (redemption, null),
            RedemptionOutcome.Retry => (redemption, await RecordIssuanceAsync(authority, grant.AsRenewal(), cancellationToken).ConfigureAwait(false)),
            _ => (redemption, await RecordIssuanceAsync(authority, grant, cancellationToken).ConfigureAwait(false)),
        };
    }

    private async Task<RedemptionOutcome> RedeemAsync(string token, string redeemer, int uses, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var before = await ScalarAsync(
            "SELECT count(*) FROM TokenRedemption WHERE ServiceId = @service AND Token = @token AND Redeemer = @redeemer",
            cancellationToken, ("token", token), ("redeemer", redeemer)).ConfigureAwait(false);
        if (before > 0)
        {
            return RedemptionOutcome.Retry;
        }

        // A use is taken only while one is free (in PostgreSQL the counter's row lock makes concurrent takers queue).
        var taken = await ExecuteAsync(
            """
            INSERT INTO TokenUse (ServiceId, Token, Used) VALUES (@service, @token, 1)
            ON CONFLICT (ServiceId, Token) DO UPDATE SET Used = TokenUse.Used + 1 WHERE TokenUse.Used < @uses
            """,
            cancellationToken, ("token", token), ("uses", uses)).ConfigureAwait(false);
        if (taken == 0)
        {
            return RedemptionOutcome.UsedUp;
        }

        await ExecuteAsync(
            "INSERT INTO TokenRedemption (ServiceId, Token, Redeemer, RedeemedAt) VALUES (@service, @token, @redeemer, @now)",
            cancellationToken, ("token", token), ("redeemer", redeemer), ("now", now.UtcTicks)).ConfigureAwait(false);
        return RedemptionOutcome.Redeemed;
    }

    public async Task ImportAsync(string authority, AuthorityImport import, CancellationToken cancellationToken)
    {
        foreach (var member in import.Members)
        {
            await ExecuteAsync(
                "INSERT INTO AuthorityMember (ServiceId, Authority, Subject, Status, Since, Attributes) VALUES (@service, @authority, @subject, @status, @since, @attributes) ON CONFLICT (ServiceId, Authority, Subject) DO NOTHING",
                cancellationToken,
                ("authority", authority), ("subject", member.Subject), ("status", (int)member.Record.Status), ("since", member.Record.Since.UtcTicks), ("attributes", MemberAttributes.Encode(member.Record.Attributes))).ConfigureAwait(false);
            foreach (var (serial, issuedAt, expiresAt) in member.Serials)
            {
                await ExecuteAsync(
                    "INSERT INTO AuthoritySerial (ServiceId, Authority, Serial, Subject, IssuedAt, ExpiresAt) VALUES (@service, @authority, @serial, @subject, @issued, @expires) ON CONFLICT (ServiceId, Authority, Serial) DO NOTHING",
                    cancellationToken,
                    ("authority", authority), ("serial", checked((long)serial)), ("subject", member.Subject), ("issued", issuedAt.UtcTicks), ("expires", expiresAt.UtcTicks)).ConfigureAwait(false);
            }
        }

        foreach (var serial in import.RevokedSerials)
        {
            await InsertRevocationAsync(authority, serial, DateTimeOffset.UnixEpoch, cancellationToken).ConfigureAwait(false);
        }

        foreach (var subject in import.RevokedSubjects)
        {
            await RevokeMemberAsync(authority, subject, DateTimeOffset.UnixEpoch, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task ImportRedemptionsAsync(string token, IReadOnlyCollection<string> redeemers, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var redeemer in redeemers)
        {
            await ExecuteAsync(
                "INSERT INTO TokenRedemption (ServiceId, Token, Redeemer, RedeemedAt) VALUES (@service, @token, @redeemer, @at) ON CONFLICT (ServiceId, Token, Redeemer) DO NOTHING",
                cancellationToken, ("token", token), ("redeemer", redeemer), ("at", at.UtcTicks)).ConfigureAwait(false);
        }

        var used = await ScalarAsync("SELECT count(*) FROM TokenRedemption WHERE ServiceId = @service AND Token = @token", cancellationToken, ("token", token)).ConfigureAwait(false);
        await ExecuteAsync(
            "INSERT INTO TokenUse (ServiceId, Token, Used) VALUES (@service, @token, @used) ON CONFLICT (ServiceId, Token) DO UPDATE SET Used = excluded.Used WHERE TokenUse.Used < excluded.Used",
            cancellationToken, ("token", token), ("used", checked((int)used))).ConfigureAwait(false);
    }

    /// <summary>Lists <paramref name="serial"/> as revoked, with its holder if it was issued here.</summary>
    private Task<int> InsertRevocationAsync(string authority, ulong serial, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO AuthorityRevocation (ServiceId, Authority, Serial, Subject, RevokedAt)
            VALUES (@service, @authority, @serial, (SELECT Subject FROM AuthoritySerial WHERE ServiceId = @service AND Authority = @authority AND Serial = @serial), @now)
            ON CONFLICT (ServiceId, Authority, Serial) DO NOTHING
            """,
            cancellationToken, ("authority", authority), ("serial", checked((long)serial)), ("now", now.UtcTicks));

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private DbCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        Add(command, "service", serviceId);
        foreach (var (name, value) in parameters)
        {
            Add(command, name, value);
        }

        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
