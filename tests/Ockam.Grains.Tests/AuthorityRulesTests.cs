using System.Text;
using Ockam.Grains.Authority;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Grains.Tests;

/// <summary>
/// The authority's rules over time, as attacks: a revoked identity coming back, the holder of a revoked
/// serial refreshing, an enroller granting beyond its delegation, a token used more than its count.
/// </summary>
[Collection(ClusterDefinition.Name)]
public sealed class AuthorityRulesTests(ClusterFixture fixture) : IDisposable
{
    private readonly SoftwareVault vault = new();

    private IAuthorityGrain Authority => fixture.Grains.GetGrain<IAuthorityGrain>(ClusterFixture.AuthorityName);

    [Fact]
    public async Task A_member_revoked_by_subject_redeems_neither_its_old_token_nor_a_new_one_until_readmitted()
    {
        var subject = await NewIdentifierAsync();
        var old = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), uses: 1);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(old, subject)).Outcome);

        await Authority.RevokeMemberAsync(subject);

        // The token grain would hand its redeemer the grant again (a retry): the authority refuses first.
        var retried = await Authority.EnrollAsync(old, subject);
        Assert.Equal(AuthorityOutcome.Revoked, retried.Outcome);
        Assert.Contains("revoked", retried.Reason, StringComparison.Ordinal);
        var fresh = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), uses: 1);
        Assert.Equal(AuthorityOutcome.Revoked, (await Authority.EnrollAsync(fresh, subject)).Outcome);
        Assert.Equal(AuthorityOutcome.Revoked, (await Authority.GetCredentialAsync(subject)).Outcome);
        Assert.Equal(AuthorityOutcome.Revoked, (await Authority.IssueAsync(subject, Attributes(("ockam.role", "sensor")))).Outcome);

        // The refusal used nothing: after an admin readmits it, the same fresh token enrols it.
        Assert.Equal(ReadmitOutcome.Readmitted, await Authority.ReadmitAsync(await AdminAsync(), subject));
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(fresh, subject)).Outcome);
        Assert.Equal(ReadmitOutcome.NothingToLift, await Authority.ReadmitAsync(await AdminAsync(), subject));
    }

    [Fact]
    public async Task Revoking_a_serial_suspends_its_member_until_an_admin_readmits_it()
    {
        var subject = await NewIdentifierAsync();
        var first = await Authority.IssueAsync(subject, Attributes(("ockam.role", "sensor")));
        var second = await Authority.GetCredentialAsync(subject);

        // Every credential of the suspended member goes with the one named: another would still open channels.
        var list = RevocationList.Decode(await Authority.RevokeAsync(first.Serial));
        Assert.Contains(first.Serial, list.Data.RevokedSerials);
        Assert.Contains(second.Serial, list.Data.RevokedSerials);

        var refused = await Authority.GetCredentialAsync(subject);
        Assert.Equal(AuthorityOutcome.Suspended, refused.Outcome);
        Assert.Null(refused.Credential);
        var token = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), uses: 1);
        Assert.Equal(AuthorityOutcome.Suspended, (await Authority.EnrollAsync(token, subject)).Outcome);
        Assert.Equal(AuthorityOutcome.Suspended, (await Authority.IssueAsync(subject, Attributes(("ockam.role", "admin")))).Outcome);

        Assert.Equal(ReadmitOutcome.Readmitted, await Authority.ReadmitAsync(await AdminAsync(), subject));
        var readmitted = await Authority.GetCredentialAsync(subject);
        Assert.Equal(AuthorityOutcome.Issued, readmitted.Outcome);
        Assert.True(readmitted.Serial > second.Serial);
        Assert.Contains(first.Serial, RevocationList.Decode(await Authority.GetRevocationListAsync()).Data.RevokedSerials);
    }

    [Fact]
    public async Task An_admin_grants_any_valid_attributes()
    {
        var admin = await MemberAsync(("ockam.role", "admin"));
        var created = await Authority.CreateTokenAsync(
            admin,
            new Dictionary<string, byte[]>
            {
                ["ockam.role"] = "enroller"u8.ToArray(),
                ["ockam.relay"] = "*"u8.ToArray(),
                [Delegation.AttributeName] = Delegation.Encode(["ockam.role", "floor"]),
                ["floor"] = "3"u8.ToArray(),
            },
            TimeSpan.FromHours(1),
            uses: 1);
        Assert.Equal(AuthorityOutcome.Issued, created.Outcome);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.CreateTokenAsync(admin, Attributes(("ockam.role", "admin")), TimeSpan.FromHours(1), 1)).Outcome);
    }

    [Theory]
    [InlineData("ockam.role", "admin")]
    [InlineData("ockam.role", "enroller")]
    [InlineData("ockam.relay", "*")]
    [InlineData("ockam.topic", "*")]
    [InlineData("room", "ward-7")]
    public async Task An_enroller_may_not_grant_admin_roles_every_relay_or_names_outside_its_delegation(string name, string value)
    {
        var enroller = await EnrollerAsync("ockam.role", "ockam.relay", "ockam.topic", "floor");

        var refused = await Authority.CreateTokenAsync(enroller, Attributes((name, value)), TimeSpan.FromHours(1), 1);

        Assert.Equal(AuthorityOutcome.Denied, refused.Outcome);
        Assert.Null(refused.Token);
        Assert.Contains(name, refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enroller_may_not_grant_a_delegation_even_one_inside_its_own()
    {
        var enroller = await EnrollerAsync("ockam.role", Delegation.AttributeName);
        var delegation = new Dictionary<string, byte[]> { [Delegation.AttributeName] = Delegation.Encode(["ockam.role"]) };

        var refused = await Authority.CreateTokenAsync(enroller, delegation, TimeSpan.FromHours(1), 1);

        Assert.Equal(AuthorityOutcome.Denied, refused.Outcome);
        Assert.Contains(Delegation.AttributeName, refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enroller_grants_what_its_delegation_names()
    {
        var enroller = await EnrollerAsync("ockam.role", "ockam.relay", "ockam.topic", "floor");
        var created = await Authority.CreateTokenAsync(enroller, Attributes(("ockam.role", "sensor"), ("ockam.relay", "pump-7"), ("ockam.topic", "heart-rate"), ("floor", "3")), TimeSpan.FromHours(1), 1);
        Assert.Equal(AuthorityOutcome.Issued, created.Outcome);

        var device = await NewIdentifierAsync();
        var enrolled = CredentialPresentation.Decode((await Authority.EnrollAsync(created.Token!, device)).Credential!).Credential.Data;
        Assert.Equal("pump-7", enrolled.GetText("ockam.relay"));
        Assert.Equal("heart-rate", enrolled.GetText("ockam.topic"));
    }

    [Fact]
    public async Task Only_current_admins_and_enrollers_in_good_standing_create_tokens()
    {
        var sensorToken = Attributes(("ockam.role", "sensor"));
        Assert.Equal(AuthorityOutcome.Denied, (await Authority.CreateTokenAsync(await NewIdentifierAsync(), sensorToken, TimeSpan.FromHours(1), 1)).Outcome);
        Assert.Equal(AuthorityOutcome.Denied, (await Authority.CreateTokenAsync(await MemberAsync(("ockam.role", "sensor")), sensorToken, TimeSpan.FromHours(1), 1)).Outcome);

        // An enroller with no delegation grants nothing.
        Assert.Equal(AuthorityOutcome.Denied, (await Authority.CreateTokenAsync(await MemberAsync(("ockam.role", "enroller")), sensorToken, TimeSpan.FromHours(1), 1)).Outcome);

        // Decided on the record now, whatever credential the creator still holds: demoted, suspended, revoked.
        var demoted = await MemberAsync(("ockam.role", "admin"));
        await Authority.IssueAsync(demoted, Attributes(("ockam.role", "sensor")));
        Assert.Equal(AuthorityOutcome.Denied, (await Authority.CreateTokenAsync(demoted, sensorToken, TimeSpan.FromHours(1), 1)).Outcome);

        var suspended = await MemberAsync(("ockam.role", "admin"));
        await Authority.RevokeAsync((await Authority.GetCredentialAsync(suspended)).Serial);
        var refused = await Authority.CreateTokenAsync(suspended, sensorToken, TimeSpan.FromHours(1), 1);
        Assert.Equal(AuthorityOutcome.Denied, refused.Outcome);
        Assert.Contains("suspended", refused.Reason, StringComparison.Ordinal);

        var revoked = await MemberAsync(("ockam.role", "admin"));
        await Authority.RevokeMemberAsync(revoked);
        Assert.Equal(AuthorityOutcome.Denied, (await Authority.CreateTokenAsync(revoked, sensorToken, TimeSpan.FromHours(1), 1)).Outcome);
    }

    [Theory]
    [InlineData("ockam.role", "Admin")]
    [InlineData("ockam.role", "")]
    [InlineData("ockam.role", "a role")]
    [InlineData("ockam.relay", "")]
    [InlineData("ockam.relay", "conn.gateway.1")]
    [InlineData("ockam.topic", "")]
    [InlineData("ockam.delegate", "ockam.role")]
    [InlineData("ockam.everything", "yes")]
    [InlineData("", "empty name")]
    public async Task Reserved_and_malformed_attributes_are_refused_even_to_an_admin(string name, string value)
    {
        var admin = await MemberAsync(("ockam.role", "admin"));

        var refused = await Authority.CreateTokenAsync(admin, Attributes((name, value)), TimeSpan.FromHours(1), 1);

        Assert.Equal(AuthorityOutcome.InvalidRequest, refused.Outcome);
        Assert.Contains($"'{name}'", refused.Reason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Authority.CreateOperatorTokenAsync(Attributes((name, value)), TimeSpan.FromHours(1), 1));
    }

    [Fact]
    public async Task Limits_on_values_relay_names_and_usage_counts_hold()
    {
        var admin = await MemberAsync(("ockam.role", "admin"));
        var tooLarge = new Dictionary<string, byte[]> { ["blob"] = new byte[1025] };
        Assert.Equal(AuthorityOutcome.InvalidRequest, (await Authority.CreateTokenAsync(admin, tooLarge, TimeSpan.FromHours(1), 1)).Outcome);
        Assert.Equal(AuthorityOutcome.InvalidRequest, (await Authority.CreateTokenAsync(admin, Attributes(("ockam.relay", new string('r', 201))), TimeSpan.FromHours(1), 1)).Outcome);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.CreateTokenAsync(admin, Attributes(("ockam.relay", new string('r', 200))), TimeSpan.FromHours(1), 1)).Outcome);
        Assert.Equal(AuthorityOutcome.InvalidRequest, (await Authority.CreateTokenAsync(admin, Attributes(("ockam.topic", new string('t', 121))), TimeSpan.FromHours(1), 1)).Outcome);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.CreateTokenAsync(admin, Attributes(("ockam.topic", new string('t', 120))), TimeSpan.FromHours(1), 1)).Outcome);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.CreateTokenAsync(admin, Attributes(("ockam.topic", "*")), TimeSpan.FromHours(1), 1)).Outcome);
        Assert.Equal(AuthorityOutcome.InvalidRequest, (await Authority.CreateTokenAsync(admin, new Dictionary<string, byte[]>(), TimeSpan.FromHours(1), 0)).Outcome);
        Assert.Equal(AuthorityOutcome.InvalidRequest, (await Authority.CreateTokenAsync(admin, new Dictionary<string, byte[]>(), TimeSpan.FromHours(1), 10_001)).Outcome);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.CreateTokenAsync(admin, new Dictionary<string, byte[]>(), TimeSpan.FromHours(1), 10_000)).Outcome);
        Assert.Equal(AuthorityOutcome.InvalidRequest, (await Authority.CreateTokenAsync(admin, new Dictionary<string, byte[]>(), TimeSpan.FromDays(8), 1)).Outcome);
    }

    [Fact]
    public async Task A_token_for_five_enrols_exactly_five_of_twenty_concurrent_identities_and_their_retries()
    {
        var token = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), uses: 5);
        var identities = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => NewIdentifierAsync()));

        var results = await Task.WhenAll(identities.Select(id => Task.Run(() => Authority.EnrollAsync(token, id))));

        var winners = identities.Where((_, i) => results[i].Outcome == AuthorityOutcome.Issued).ToList();
        Assert.Equal(5, winners.Count);
        Assert.Equal(15, results.Count(r => r.Outcome == AuthorityOutcome.TokenUsed));
        Assert.Equal(5, results.Select(r => r.Serial).Where(s => s != 0).Distinct().Count());

        // A redeemer's retry is idempotent and uses nothing; a newcomer still finds the token used up.
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(token, winners[0])).Outcome);
        Assert.Equal(AuthorityOutcome.TokenUsed, (await Authority.EnrollAsync(token, await NewIdentifierAsync())).Outcome);

        // ... unless the redeemer has been revoked since.
        await Authority.RevokeMemberAsync(winners[1]);
        Assert.Equal(AuthorityOutcome.Revoked, (await Authority.EnrollAsync(token, winners[1])).Outcome);
    }

    [Fact]
    public async Task A_token_counts_distinct_redeemers_and_expires_for_its_redeemers_too()
    {
        var token = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromMinutes(10), uses: 2);
        var (a, b, c) = (await NewIdentifierAsync(), await NewIdentifierAsync(), await NewIdentifierAsync());

        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(token, a)).Outcome);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(token, a)).Outcome);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(token, b)).Outcome);
        Assert.Equal(AuthorityOutcome.TokenUsed, (await Authority.EnrollAsync(token, c)).Outcome);

        fixture.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(AuthorityOutcome.TokenExpired, (await Authority.EnrollAsync(token, a)).Outcome);
    }

    [Fact]
    public async Task A_token_of_another_authority_is_unknown_here_and_makes_no_member()
    {
        const string token = "a token another authority made";
        var grant = new TokenGrant("another", Attributes(("ockam.role", "admin")), fixture.Time.GetUtcNow().AddMinutes(10), "operator", Uses: 1);
        Assert.True(await fixture.Grains.GetGrain<IEnrollmentTokenGrain>(AuthorityGrain.TokenHash(token)).CreateAsync(grant));
        var subject = await NewIdentifierAsync();

        Assert.Equal(AuthorityOutcome.TokenUnknown, (await Authority.EnrollAsync(token, subject)).Outcome);
        Assert.Equal(MemberStatus.NotAMember, (await Authority.GetStandingAsync(subject)).Status);
    }

    [Fact]
    public async Task Only_an_admin_in_good_standing_readmits_and_a_suspended_admin_not_itself()
    {
        var subject = await MemberAsync(("ockam.role", "sensor"));
        await Authority.RevokeMemberAsync(subject);
        Assert.Equal(ReadmitOutcome.Denied, await Authority.ReadmitAsync(await MemberAsync(("ockam.role", "sensor")), subject));
        Assert.Equal(ReadmitOutcome.Denied, await Authority.ReadmitAsync(await NewIdentifierAsync(), subject));

        // An admin one of whose credentials was revoked may still hold a newer one: the records say suspended.
        var admin = await NewIdentifierAsync();
        var older = await Authority.IssueAsync(admin, Attributes(("ockam.role", "admin")));
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.GetCredentialAsync(admin)).Outcome);
        await Authority.RevokeAsync(older.Serial);
        Assert.Equal(ReadmitOutcome.Denied, await Authority.ReadmitAsync(admin, admin));
        Assert.Equal(ReadmitOutcome.Denied, await Authority.ReadmitAsync(admin, subject));
        Assert.Equal(AuthorityOutcome.Revoked, (await Authority.GetCredentialAsync(subject)).Outcome);
    }

    public void Dispose() => vault.Dispose();

    private Task<string> AdminAsync() => MemberAsync(("ockam.role", "admin"));

    private async Task<string> EnrollerAsync(params string[] delegated)
    {
        var enroller = await NewIdentifierAsync();
        var issued = await Authority.IssueAsync(enroller, new Dictionary<string, byte[]>
        {
            ["ockam.role"] = "enroller"u8.ToArray(),
            [Delegation.AttributeName] = Delegation.Encode(delegated),
        });
        Assert.Equal(AuthorityOutcome.Issued, issued.Outcome);
        return enroller;
    }

    [Fact]
    public async Task A_token_dies_with_its_creators_standing_and_a_retry_returns_only_what_still_stands()
    {
        // A compromised admin mints an admin token for later; it is revoked before the token is used.
        var admin = await MemberAsync(("ockam.role", "admin"));
        var minted = (await Authority.CreateTokenAsync(admin, Attributes(("ockam.role", "admin")), TimeSpan.FromHours(1), 5)).Token!;
        await Authority.RevokeMemberAsync(admin);
        Assert.Equal(AuthorityOutcome.Denied, (await Authority.EnrollAsync(minted, await NewIdentifierAsync())).Outcome);

        // The same for a suspended enroller's tokens.
        var enroller = await NewIdentifierAsync();
        await Authority.IssueAsync(enroller, new Dictionary<string, byte[]> { ["ockam.role"] = "enroller"u8.ToArray(), [Delegation.AttributeName] = Delegation.Encode(["floor"]) });
        var floorToken = (await Authority.CreateTokenAsync(enroller, Attributes(("floor", "3")), TimeSpan.FromHours(1), 2)).Token!;
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(floorToken, await NewIdentifierAsync())).Outcome);
        var enrollerSerial = (await Authority.GetCredentialAsync(enroller)).Serial;
        await Authority.RevokeAsync(enrollerSerial);
        Assert.Equal(AuthorityOutcome.Denied, (await Authority.EnrollAsync(floorToken, await NewIdentifierAsync())).Outcome);

        // A stolen admin key mints a token; the admin is suspended, then readmitted: the token stays dead, as do
        // those made before a demotion when the admin is later promoted again.
        var trusted = await MemberAsync(("ockam.role", "admin"));
        var stolen = (await Authority.CreateTokenAsync(trusted, Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 3)).Token!;
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        await Authority.RevokeAsync((await Authority.GetCredentialAsync(trusted)).Serial);
        Assert.Equal(ReadmitOutcome.Readmitted, await Authority.ReadmitAsync(await AdminAsync(), trusted));
        Assert.Equal(AuthorityOutcome.Denied, (await Authority.EnrollAsync(stolen, await NewIdentifierAsync())).Outcome);
        var beforeDemotion = (await Authority.CreateTokenAsync(trusted, Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 3)).Token!;
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.IssueAsync(trusted, Attributes(("ockam.role", "sensor")))).Outcome);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.IssueAsync(trusted, Attributes(("ockam.role", "admin")))).Outcome);
        Assert.Equal(AuthorityOutcome.Denied, (await Authority.EnrollAsync(beforeDemotion, await NewIdentifierAsync())).Outcome);
        var afterwards = (await Authority.CreateTokenAsync(trusted, Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 1)).Token!;
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(afterwards, await NewIdentifierAsync())).Outcome);

        // A member revoked and readmitted (no member now) does not get its old attributes back by retrying its token.
        var device = await NewIdentifierAsync();
        var token = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), uses: 1);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(token, device)).Outcome);
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.EnrollAsync(token, device)).Outcome); // a plain retry still works
        await Authority.RevokeMemberAsync(device);
        Assert.Equal(ReadmitOutcome.Readmitted, await Authority.ReadmitAsync(await AdminAsync(), device));
        Assert.Equal(AuthorityOutcome.TokenUsed, (await Authority.EnrollAsync(token, device)).Outcome);
    }

    [Fact]
    public async Task A_member_gets_a_bounded_number_of_credentials_per_lifetime_and_a_suspension_lists_only_unexpired_ones()
    {
        var subject = await MemberAsync(("ockam.role", "sensor"));
        var first = (await Authority.GetCredentialAsync(subject)).Serial;
        fixture.Time.Advance(TimeSpan.FromHours(25));
        var serials = new List<ulong>();
        for (var i = 0; i < 16; i++)
        {
            var issued = await Authority.GetCredentialAsync(subject);
            Assert.Equal(AuthorityOutcome.Issued, issued.Outcome);
            serials.Add(issued.Serial);
        }

        Assert.Equal(AuthorityOutcome.Denied, (await Authority.GetCredentialAsync(subject)).Outcome);

        var list = RevocationList.Decode(await Authority.RevokeAsync(serials[0])).Data.RevokedSerials;
        Assert.All(serials, s => Assert.Contains(s, list));
        Assert.DoesNotContain(first, list); // long expired: no need to list it
    }

    private async Task<string> MemberAsync(params (string Name, string Value)[] attributes)
    {
        var subject = await NewIdentifierAsync();
        Assert.Equal(AuthorityOutcome.Issued, (await Authority.IssueAsync(subject, Attributes(attributes))).Outcome);
        return subject;
    }

    private async Task<string> NewIdentifierAsync() =>
        (await new IdentityManager(vault, TimeProvider.System).CreateAsync()).Identifier.ToString();

    private static Dictionary<string, byte[]> Attributes(params (string Name, string Value)[] attributes) =>
        attributes.ToDictionary(a => a.Name, a => Encoding.UTF8.GetBytes(a.Value));
}
