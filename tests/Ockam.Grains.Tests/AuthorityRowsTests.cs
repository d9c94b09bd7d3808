using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Grains.Authority;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Orleans.Storage;

namespace Ockam.Grains.Tests;

/// <summary>
/// The authority with members, serials and revocations as rows and issuance in stateless workers: distinct serials
/// under concurrency, a revoked identity refused by the worker and by the store's own transaction, and the move of
/// an old grain state into rows.
/// </summary>
[Collection(ClusterDefinition.Name)]
public sealed class AuthorityRowsTests(ClusterFixture fixture) : IDisposable
{
    private readonly SoftwareVault vault = new();

    private IAuthorityGrain Authority => fixture.Grains.GetGrain<IAuthorityGrain>(ClusterFixture.AuthorityName);

    private IAuthorityStore Store => fixture.Cluster.Primary!.ServiceProvider()!.GetRequiredService<IAuthorityStore>();

    [Fact]
    public async Task Concurrent_enrolments_on_several_workers_get_distinct_serials_and_each_a_member_row()
    {
        const int devices = 300;
        var token = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "device")), TimeSpan.FromHours(1), uses: devices);
        var identities = await Task.WhenAll(Enumerable.Range(0, devices).Select(_ => NewIdentifierAsync()));

        // More at once than one block of serials, so that several workers (or one, several times) reserve blocks.
        var results = await Task.WhenAll(identities.Select(id => Task.Run(() => Authority.EnrollAsync(token, id))));

        Assert.All(results, r => Assert.Equal(AuthorityOutcome.Issued, r.Outcome));
        Assert.Equal(devices, results.Select(r => r.Serial).Distinct().Count());
        Assert.True(devices > AuthorityGrain.SerialBlockSize);
        foreach (var (id, result) in identities.Zip(results))
        {
            var credential = CredentialPresentation.Decode(result.Credential!).Credential.Data;
            Assert.Equal((id, result.Serial), (credential.Subject.ToString(), credential.Serial));
            var standing = await Authority.GetStandingAsync(id);
            Assert.Equal(MemberStatus.Member, standing.Status);
            Assert.Equal("device", Encoding.UTF8.GetString(standing.Attributes["ockam.role"]));
        }

        Assert.Equal(AuthorityOutcome.TokenUsed, (await Authority.EnrollAsync(token, await NewIdentifierAsync())).Outcome);
    }

    [Fact]
    public async Task A_revoked_identity_redeems_nothing_through_a_worker_and_uses_up_no_token()
    {
        var subject = await NewIdentifierAsync();
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.IssueAsync(subject, Attributes(("ockam.role", "sensor")))).Outcome);
        await Authority.RevokeMemberAsync(subject);

        var token = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "admin")), TimeSpan.FromHours(1), uses: 1);
        var refused = await Authority.EnrollAsync(token, subject);
        Assert.Equal(AuthorityOutcome.Revoked, refused.Outcome);
        Assert.Null(refused.Credential);
        Assert.Equal(MemberStatus.Revoked, (await Authority.GetStandingAsync(subject)).Status);

        // The refusal came before the token grain was asked: its one use is still there for someone else.
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(token, await NewIdentifierAsync())).Outcome);
    }

    [Fact]
    public async Task The_store_refuses_a_serial_to_a_revoked_or_suspended_identity_whatever_the_issuer_checked()
    {
        // An issuer that checked standing before a revocation committed still asks the store to record its serial:
        // the store's own transaction refuses it, so no credential of a revoked identity is ever signed unlisted.
        var revoked = await NewIdentifierAsync();
        await Authority.IssueAsync(revoked, Attributes(("ockam.role", "sensor")));
        await Authority.RevokeMemberAsync(revoked);
        var suspended = await NewIdentifierAsync();
        await Authority.RevokeAsync((await Authority.IssueAsync(suspended, Attributes(("ockam.role", "sensor")))).Serial);

        foreach (var kind in new[] { IssuanceKind.Grant, IssuanceKind.Renew })
        {
            Assert.Equal(IssuanceOutcome.Revoked, (await Store.RecordIssuanceAsync(ClusterFixture.AuthorityName, Issuance(revoked, kind), CancellationToken.None)).Outcome);
            Assert.Equal(IssuanceOutcome.Suspended, (await Store.RecordIssuanceAsync(ClusterFixture.AuthorityName, Issuance(suspended, kind), CancellationToken.None)).Outcome);
        }
    }

    [Fact]
    public async Task A_revocation_racing_renewals_lists_every_credential_issued_to_the_member()
    {
        var subject = await NewIdentifierAsync();
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.IssueAsync(subject, Attributes(("ockam.role", "sensor")))).Outcome);

        // Renewals in flight on the workers while the member is revoked: whatever got out must be on the list.
        var renewals = Enumerable.Range(0, 15).Select(_ => Task.Run(() => Authority.GetCredentialAsync(subject))).ToList();
        var list = await Task.Run(() => Authority.RevokeMemberAsync(subject));
        var issued = (await Task.WhenAll(renewals)).Where(r => r.Outcome == AuthorityOutcome.Issued).Select(r => r.Serial).ToList();
        var listed = RevocationList.Decode(await Authority.GetRevocationListAsync()).Data.RevokedSerials;

        Assert.All(issued, serial => Assert.Contains(serial, listed));
        Assert.NotEmpty(RevocationList.Decode(list).Data.RevokedSerials);
    }

    [Fact]
    public async Task An_authority_state_from_before_rows_is_moved_into_rows_on_activation()
    {
        // A grain state as the authority kept it when every member lived in it.
        const string name = "legacy-authority";
        var member = await NewIdentifierAsync();
        var suspended = await NewIdentifierAsync();
        var revoked = await NewIdentifierAsync();
        var now = fixture.Time.GetUtcNow();
        var old = new AuthorityState
        {
            NextSerial = 40,
            Members =
            {
                [member] = new Member(Attributes(("ockam.role", "admin")), [10, 11], Since: now) { IssuedAt = new() { [11] = now } },
                [suspended] = new Member(Attributes(("ockam.role", "sensor")), [12], Suspended: true, Since: now),
            },
            Revoked = [7, 12],
            RevokedSubjects = [revoked],
        };
        var storage = fixture.Cluster.Primary!.ServiceProvider()!.GetRequiredKeyedService<IGrainStorage>(Storage.ProviderName);
        await storage.WriteStateAsync("authority", GrainId.Create("authority", name), new GrainState<AuthorityState>(old));

        var block = await fixture.Grains.GetGrain<IAuthorityLedgerGrain>(name).ReserveSerialsAsync(5);

        Assert.Equal(new SerialBlock(40, 5), block);
        var issuer = fixture.Grains.GetGrain<IAuthorityGrain>(name);
        var standing = await issuer.GetStandingAsync(member);
        Assert.Equal(MemberStatus.Member, standing.Status);
        Assert.Equal("admin", Encoding.UTF8.GetString(standing.Attributes["ockam.role"]));
        Assert.Equal(MemberStatus.Suspended, (await issuer.GetStandingAsync(suspended)).Status);
        Assert.Equal(MemberStatus.Revoked, (await issuer.GetStandingAsync(revoked)).Status);
        Assert.Equal([7UL, 12UL], await Store.GetRevokedSerialsAsync(name, 100, CancellationToken.None));
        Assert.Equal([revoked], await Store.GetRevokedSubjectsAsync(name, CancellationToken.None));

        // The state keeps only its counters now.
        var reread = new GrainState<AuthorityState>();
        await storage.ReadStateAsync("authority", GrainId.Create("authority", name), reread);
        Assert.False(reread.State!.HoldsRows);
        Assert.Equal(45UL, reread.State.NextSerial);
    }

    public void Dispose() => vault.Dispose();

    private Issuance Issuance(string subject, IssuanceKind kind) => new()
    {
        Subject = subject,
        Kind = kind,
        Attributes = kind == IssuanceKind.Grant ? Attributes(("ockam.role", "sensor")) : null,
        Serial = ulong.MaxValue / 2 + (ulong)Random.Shared.Next(),
        IssuedAt = fixture.Time.GetUtcNow(),
        ExpiresAt = fixture.Time.GetUtcNow().AddHours(1),
        MaxUnexpired = 16,
    };

    private async Task<string> NewIdentifierAsync() =>
        (await new IdentityManager(vault, TimeProvider.System).CreateAsync()).Identifier.ToString();

    private static Dictionary<string, byte[]> Attributes(params (string Name, string Value)[] attributes) =>
        attributes.ToDictionary(a => a.Name, a => Encoding.UTF8.GetBytes(a.Value));
}
