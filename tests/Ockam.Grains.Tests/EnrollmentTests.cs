using System.Text;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class EnrollmentTests(ClusterFixture fixture) : IDisposable
{
    private readonly SoftwareVault vault = new();

    private IAuthorityGrain Authority => fixture.Grains.GetGrain<IAuthorityGrain>(ClusterFixture.AuthorityName);

    [Fact]
    public async Task A_hundred_concurrent_redemptions_from_a_hundred_identities_give_exactly_one_credential()
    {
        var token = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), uses: 1);
        var identities = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => NewIdentifierAsync()));

        var results = await Task.WhenAll(identities.Select(id => Task.Run(() => Authority.EnrollAsync(token, id))));

        var issued = Assert.Single(results, r => r.Outcome == AuthorityOutcome.Issued);
        Assert.Equal(99, results.Count(r => r.Outcome == AuthorityOutcome.TokenUsed));
        var credential = CredentialPresentation.Decode(issued.Credential!).Credential.Data;
        Assert.Contains(credential.Subject.ToString(), identities);
        Assert.Equal("sensor", Encoding.UTF8.GetString(credential.Attributes["ockam.role"]));
    }

    [Fact]
    public async Task A_token_hash_is_created_once_and_the_one_redeemer_may_ask_again()
    {
        var grant = new TokenGrant("x", new Dictionary<string, byte[]>(), DateTimeOffset.UtcNow.AddHours(1), "test");
        var grain = fixture.Grains.GetGrain<IEnrollmentTokenGrain>(Guid.NewGuid().ToString("n"));
        Assert.True(await grain.CreateAsync(grant));
        Assert.False(await grain.CreateAsync(grant));

        var token = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), uses: 1);
        var identities = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => NewIdentifierAsync()));
        var results = await Task.WhenAll(identities.Select(id => Task.Run(() => Authority.EnrollAsync(token, id))));
        var winner = identities[Array.FindIndex(results, r => r.Outcome == AuthorityOutcome.Issued)];

        // The winner asking again (its answer was lost) gets a fresh credential with the same grant; anyone else does not.
        var again = await Authority.EnrollAsync(token, winner);
        Assert.Equal(AuthorityOutcome.Issued, again.Outcome);
        Assert.Equal("sensor", Encoding.UTF8.GetString(CredentialPresentation.Decode(again.Credential!).Credential.Data.Attributes["ockam.role"]));
        Assert.Equal(AuthorityOutcome.TokenUsed, (await Authority.EnrollAsync(token, await NewIdentifierAsync())).Outcome);
    }

    [Fact]
    public async Task Unknown_and_expired_tokens_are_refused_and_only_members_get_credentials()
    {
        var subject = await NewIdentifierAsync();
        Assert.Equal(AuthorityOutcome.TokenUnknown, (await Authority.EnrollAsync("no such token", subject)).Outcome);
        Assert.Equal(AuthorityOutcome.NotAMember, (await Authority.GetCredentialAsync(subject)).Outcome);

        var token = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromMinutes(10), uses: 1);
        fixture.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(AuthorityOutcome.TokenExpired, (await Authority.EnrollAsync(token, subject)).Outcome);

        var fresh = await Authority.CreateOperatorTokenAsync(Attributes(("ockam.role", "sensor")), TimeSpan.FromMinutes(10), uses: 1);
        var enrolled = await Authority.EnrollAsync(fresh, subject);
        var refreshed = await Authority.GetCredentialAsync(subject);
        Assert.Equal(AuthorityOutcome.Issued, refreshed.Outcome);
        Assert.True(refreshed.Serial > enrolled.Serial);
        Assert.Equal(AuthorityOutcome.InvalidRequest, (await Authority.EnrollAsync(fresh, "not an identifier")).Outcome);
    }

    [Fact]
    public async Task Revoking_puts_serials_on_a_signed_list_that_verifiers_accept_and_enforce()
    {
        var subject = await NewIdentifierAsync();
        var first = await Authority.IssueAsync(subject, Attributes(("ockam.role", "sensor")));
        var second = await Authority.GetCredentialAsync(subject);
        var authority = ChangeHistory.Decode(await Authority.GetIdentityAsync()).Verify(vault, fixture.Time.GetUtcNow());
        var trust = new TrustContext(vault);
        trust.TrustAuthority(authority);

        var listBefore = RevocationList.Decode(await Authority.GetRevocationListAsync());
        var listAfter = RevocationList.Decode(await Authority.RevokeMemberAsync(subject));
        Assert.True(listAfter.Data.Sequence > listBefore.Data.Sequence);
        Assert.Contains(first.Serial, listAfter.Data.RevokedSerials);
        Assert.Contains(second.Serial, listAfter.Data.RevokedSerials);

        Assert.True(trust.AcceptRevocationList(listAfter, fixture.Time.GetUtcNow()));
        var refused = Assert.Throws<CredentialException>(() => trust.Verify(CredentialPresentation.Decode(second.Credential!), Identifier.Parse(subject), fixture.Time.GetUtcNow()));
        Assert.Equal(CredentialError.Revoked, refused.Error);
        Assert.Equal(AuthorityOutcome.Revoked, (await Authority.GetCredentialAsync(subject)).Outcome);
    }

    [Fact]
    public async Task A_delegation_credential_names_what_its_holder_may_issue()
    {
        var subject = await NewIdentifierAsync();
        var result = await Authority.DelegateAsync(subject, ["ockam.role"]);
        var credential = CredentialPresentation.Decode(result.Credential!).Credential.Data;
        Assert.Equal(["ockam.role"], Delegation.Decode(credential.Attributes[Delegation.AttributeName]));
    }

    public void Dispose() => vault.Dispose();

    private async Task<string> NewIdentifierAsync() =>
        (await new IdentityManager(vault, TimeProvider.System).CreateAsync()).Identifier.ToString();

    private static Dictionary<string, byte[]> Attributes(params (string Name, string Value)[] attributes) =>
        attributes.ToDictionary(a => a.Name, a => Encoding.UTF8.GetBytes(a.Value));
}
