using Ockam.Grains.Contracts;
using Ockam.Grains.Identities;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Grains.Tests;

/// <summary>
/// The identity grain keeps an identity's MLS KeyPackages only when they are valid and its own — its credential, its
/// attested GroupSigning key — and hands each out once.
/// </summary>
[Collection(ClusterDefinition.Name)]
public sealed class KeyPackageGrainTests(ClusterFixture fixture) : IDisposable
{
    private readonly SoftwareVault vault = new();

    [Fact]
    public async Task Refuses_a_package_whose_credential_names_another_identity()
    {
        var alice = await PublishedAsync();
        var bob = await PublishedAsync();

        // Signed by Alice's own attested key, but naming Bob: Alice would be offering herself under Bob's name.
        var forged = await PackageAsync(Credential.Basic(bob.Identity.Identifier.ToBytes()), alice.Signing.Key, Lifetime());
        var publication = await alice.Grain.PublishKeyPackagesAsync([forged]);
        Assert.Contains("credential names", publication.Refusal);
        Assert.Equal(0, publication.Held);

        // Nor can Bob's grain be given it: it is not signed by Bob's key.
        Assert.NotNull((await bob.Grain.PublishKeyPackagesAsync([forged])).Refusal);
        Assert.Equal(KeyPackageClaimOutcome.NoneLeft, (await bob.Grain.ClaimKeyPackageAsync("claimer")).Outcome);
    }

    [Fact]
    public async Task Refuses_a_package_signed_by_a_key_the_identity_did_not_attest_as_its_group_signing_key()
    {
        var alice = await PublishedAsync();
        var stray = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var unattested = await PackageAsync(Credential.Basic(alice.Identity.Identifier.ToBytes()), stray, Lifetime());
        Assert.Contains("signature key is not the GroupSigning key", (await alice.Grain.PublishKeyPackagesAsync([unattested])).Refusal);

        // An attested key of another purpose is not the GroupSigning key either.
        var identities = new IdentityManager(vault, fixture.Time);
        var other = await identities.CreatePurposeKeyAsync(alice.Identity, Purpose.CredentialSigning, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var wrongPurpose = await PackageAsync(Credential.Basic(alice.Identity.Identifier.ToBytes()), other.Key, Lifetime());
        Assert.NotNull((await alice.Grain.PublishKeyPackagesAsync([wrongPurpose])).Refusal);
        Assert.Equal(KeyPackageClaimOutcome.NoneLeft, (await alice.Grain.ClaimKeyPackageAsync("claimer")).Outcome);
    }

    [Fact]
    public async Task Refuses_an_expired_a_tampered_or_a_malformed_package_and_stores_none_of_its_batch()
    {
        var alice = await PublishedAsync();
        var now = fixture.Time.GetUtcNow();
        var expired = await PackageAsync(
            Credential.Basic(alice.Identity.Identifier.ToBytes()), alice.Signing.Key, new Lifetime((ulong)now.AddDays(-40).ToUnixTimeSeconds(), (ulong)now.AddDays(-1).ToUnixTimeSeconds()));
        Assert.Contains("lifetime", (await alice.Grain.PublishKeyPackagesAsync([expired])).Refusal);

        var valid = await OckamPackageAsync(alice);
        var tampered = (byte[])valid.Clone();
        tampered[^1] ^= 1; // the last byte of the KeyPackage's signature
        Assert.Contains("signature does not verify", (await alice.Grain.PublishKeyPackagesAsync([tampered])).Refusal);
        Assert.NotNull((await alice.Grain.PublishKeyPackagesAsync([valid[..^1]])).Refusal);

        // All or none: a good package beside a bad one is not kept.
        var batch = await alice.Grain.PublishKeyPackagesAsync([valid, tampered]);
        Assert.NotNull(batch.Refusal);
        Assert.Equal(0, batch.Held);
        Assert.Equal(KeyPackageClaimOutcome.NoneLeft, (await alice.Grain.ClaimKeyPackageAsync("claimer")).Outcome);
    }

    [Fact]
    public async Task Refuses_packages_of_an_identity_that_has_published_no_group_signing_key()
    {
        var identities = new IdentityManager(vault, fixture.Time);
        var identity = await identities.CreateAsync();
        var signing = await identities.CreatePurposeKeyAsync(identity, Purpose.GroupSigning, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var grain = fixture.Grains.GetGrain<IIdentityGrain>(identity.Identifier.ToString());
        await grain.PublishAsync(identity.History.Encode());
        var package = (await OckamKeyPackages.CreateAsync(vault, signing, fixture.Time, [], KeyPersistence.Ephemeral)).KeyPackage.Encode();
        Assert.Contains("publish its group keys first", (await grain.PublishKeyPackagesAsync([package])).Refusal);
    }

    [Fact]
    public async Task A_claim_consumes_the_oldest_package_and_the_last_one_is_followed_by_none_left()
    {
        var alice = await PublishedAsync();
        var first = await OckamPackageAsync(alice);
        var second = await OckamPackageAsync(alice);
        Assert.Equal(new KeyPackagePublication(2, null), await alice.Grain.PublishKeyPackagesAsync([first, second]));
        Assert.Equal(2, (await alice.Grain.PublishKeyPackagesAsync([])).Held);

        var one = await alice.Grain.ClaimKeyPackageAsync("bob");
        var two = await alice.Grain.ClaimKeyPackageAsync("carol");
        Assert.Equal(KeyPackageClaimOutcome.Claimed, one.Outcome);
        Assert.Equal(first, one.KeyPackage);
        Assert.Equal(second, two.KeyPackage);
        Assert.Equal(alice.Identity.History.Encode(), one.History);
        Assert.Equal(alice.Signing.Attestation.Encode(), one.Signing);
        Assert.Equal(KeyPackageClaimOutcome.NoneLeft, (await alice.Grain.ClaimKeyPackageAsync("bob")).Outcome);
        Assert.Equal(0, (await alice.Grain.PublishKeyPackagesAsync([])).Held);
    }

    [Fact]
    public async Task Duplicates_are_ignored_and_no_more_than_the_maximum_is_held()
    {
        var alice = await PublishedAsync();
        var package = await OckamPackageAsync(alice);
        Assert.Equal(1, (await alice.Grain.PublishKeyPackagesAsync([package, package])).Held);
        Assert.Equal(1, (await alice.Grain.PublishKeyPackagesAsync([package])).Held);

        var more = new List<byte[]>();
        for (var i = 1; i < IdentityGrain.MaxKeyPackages; i++)
        {
            more.Add(await OckamPackageAsync(alice));
        }

        Assert.Equal(new KeyPackagePublication(IdentityGrain.MaxKeyPackages, null), await alice.Grain.PublishKeyPackagesAsync([.. more]));
        var full = await alice.Grain.PublishKeyPackagesAsync([await OckamPackageAsync(alice)]);
        Assert.Contains($"at most {IdentityGrain.MaxKeyPackages}", full.Refusal);
        Assert.Equal(IdentityGrain.MaxKeyPackages, full.Held);
    }

    [Fact]
    public async Task One_claimer_cannot_drain_an_identitys_packages_faster_than_the_claim_rate()
    {
        var alice = await PublishedAsync();
        var packages = new List<byte[]>();
        for (var i = 0; i < IdentityGrain.ClaimsPerWindow + 2; i++)
        {
            packages.Add(await OckamPackageAsync(alice));
        }

        await alice.Grain.PublishKeyPackagesAsync([.. packages]);
        for (var i = 0; i < IdentityGrain.ClaimsPerWindow; i++)
        {
            Assert.Equal(KeyPackageClaimOutcome.Claimed, (await alice.Grain.ClaimKeyPackageAsync("mallory")).Outcome);
        }

        Assert.Equal(KeyPackageClaimOutcome.TooMany, (await alice.Grain.ClaimKeyPackageAsync("mallory")).Outcome);
        Assert.Equal(2, (await alice.Grain.PublishKeyPackagesAsync([])).Held);
        Assert.Equal(KeyPackageClaimOutcome.Claimed, (await alice.Grain.ClaimKeyPackageAsync("bob")).Outcome);
    }

    [Fact]
    public async Task A_group_signing_key_verified_before_it_expired_signs_no_package_after()
    {
        // Attested for two minutes (the cluster's clock is shared: other tests' tokens count on it staying near now);
        // the grain verifies it (and keeps that) when the keys are published and a package stored.
        var identities = new IdentityManager(vault, fixture.Time);
        var identity = await identities.CreateAsync();
        var agreement = await identities.CreatePurposeKeyAsync(identity, Purpose.GroupKeyAgreement, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var signing = await identities.CreatePurposeKeyAsync(identity, Purpose.GroupSigning, TimeSpan.FromMinutes(2), KeyPersistence.Ephemeral);
        var grain = fixture.Grains.GetGrain<IIdentityGrain>(identity.Identifier.ToString());
        Assert.Equal(PublicationOutcome.Accepted, (await grain.PublishAsync(identity.History.Encode())).Outcome);
        Assert.True(await grain.PublishGroupKeysAsync(agreement.Attestation.Encode(), signing.Attestation.Encode()));
        var alice = new Published(identity, signing, grain);
        Assert.Equal(1, (await grain.PublishKeyPackagesAsync([await OckamPackageAsync(alice)])).Held);

        fixture.Time.Advance(TimeSpan.FromMinutes(3));
        Assert.Contains("no valid GroupSigning attestation", (await grain.PublishKeyPackagesAsync([])).Refusal);
        Assert.Equal(KeyPackageClaimOutcome.NoneLeft, (await grain.ClaimKeyPackageAsync("claimer")).Outcome);
    }

    [Fact]
    public async Task After_a_rotation_that_voids_purpose_keys_the_old_group_signing_key_signs_no_package_and_new_keys_are_taken()
    {
        var alice = await PublishedAsync();
        Assert.Equal(1, (await alice.Grain.PublishKeyPackagesAsync([await OckamPackageAsync(alice)])).Held);

        // The grain verified the old history and key for that package; the rotation it learns voids the key.
        var identities = new IdentityManager(vault, fixture.Time);
        var rotated = await identities.RotateAsync(alice.Identity, revokePurposeKeys: true);
        Assert.Equal(PublicationOutcome.Accepted, (await alice.Grain.PublishAsync(rotated.History.Encode())).Outcome);
        Assert.Contains("no valid GroupSigning attestation", (await alice.Grain.PublishKeyPackagesAsync([])).Refusal);

        // Keys attested by the new primary key are checked against the new history, and sign packages again.
        var agreement = await identities.CreatePurposeKeyAsync(rotated, Purpose.GroupKeyAgreement, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var signing = await identities.CreatePurposeKeyAsync(rotated, Purpose.GroupSigning, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        Assert.True(await alice.Grain.PublishGroupKeysAsync(agreement.Attestation.Encode(), signing.Attestation.Encode()));
        var renewed = new Published(rotated, signing, alice.Grain);
        Assert.Equal(1, (await alice.Grain.PublishKeyPackagesAsync([await OckamPackageAsync(renewed)])).Held);
    }

    public void Dispose() => vault.Dispose();

    /// <summary>An identity whose history and group keys (attested on the silo's clock) its grain holds.</summary>
    private async Task<Published> PublishedAsync()
    {
        var identities = new IdentityManager(vault, fixture.Time);
        var identity = await identities.CreateAsync();
        var agreement = await identities.CreatePurposeKeyAsync(identity, Purpose.GroupKeyAgreement, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var signing = await identities.CreatePurposeKeyAsync(identity, Purpose.GroupSigning, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var grain = fixture.Grains.GetGrain<IIdentityGrain>(identity.Identifier.ToString());
        Assert.Equal(PublicationOutcome.Accepted, (await grain.PublishAsync(identity.History.Encode())).Outcome);
        Assert.True(await grain.PublishGroupKeysAsync(agreement.Attestation.Encode(), signing.Attestation.Encode()));
        return new Published(identity, signing, grain);
    }

    private async Task<byte[]> OckamPackageAsync(Published member) =>
        (await OckamKeyPackages.CreateAsync(vault, member.Signing, fixture.Time, [], KeyPersistence.Ephemeral)).KeyPackage.Encode();

    private async Task<byte[]> PackageAsync(Credential credential, KeyHandle signatureKey, Lifetime lifetime)
    {
        var suite = OckamKeyPackages.Suite;
        var capabilities = new Capabilities([(ushort)ProtocolVersion.Mls10], [suite.Id], [], [], [(ushort)CredentialType.Basic]);
        return (await KeyPackageBundle.CreateAsync(vault, suite, credential, capabilities, lifetime, signatureKey)).KeyPackage.Encode();
    }

    private Lifetime Lifetime()
    {
        var now = fixture.Time.GetUtcNow();
        return new Lifetime((ulong)now.AddHours(-1).ToUnixTimeSeconds(), (ulong)now.AddDays(1).ToUnixTimeSeconds());
    }

    private sealed record Published(LocalIdentity Identity, PurposeKey Signing, IIdentityGrain Grain);
}
