using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The KeyPackages a node publishes: valid, naming its identifier under its attested GroupSigning key, within the
/// attestation's life, with persistent private keys when asked; and the check the silo runs on each before it stores it.
/// </summary>
public sealed class OckamKeyPackagesTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ockam-key-packages-").FullName;
    private readonly ManualTime time = new();

    [Fact]
    public async Task A_package_is_valid_names_the_identity_and_is_accepted_by_the_ockam_authentication_service()
    {
        using var vault = new SoftwareVault();
        var (identity, signing) = await MemberAsync(vault, TimeSpan.FromDays(60));
        var bundle = await OckamKeyPackages.CreateAsync(vault, signing, time, [0xff00], KeyPersistence.Ephemeral);
        var package = KeyPackage.Decode(bundle.KeyPackage.Encode());

        KeyPackageValidation.Validate(vault, OckamKeyPackages.Suite, package, time.Now);
        Assert.Equal(identity.Identifier, OckamCredentialAuthentication.IdentifierOf(package.LeafNode));
        Assert.Equal(signing.Attestation.PublicKey, package.LeafNode.SignatureKey.ToArray());
        Assert.Equal([(ushort)0xff00], package.LeafNode.Capabilities.Extensions);
        Assert.Equal([(ushort)CredentialType.Basic], package.LeafNode.Capabilities.Credentials);
        Assert.Equal((ulong)time.Now.Add(OckamKeyPackages.Lifetime).ToUnixTimeSeconds(), package.LeafNode.Lifetime!.NotAfter);
        Assert.Equal(bundle.KeyPackage.Encode(), OckamKeyPackages.Check(vault, bundle.KeyPackage.Encode(), identity.Identifier, signing.Attestation.PublicKey, time.Now).Encode());

        var members = new MlsMemberDirectory(new KnownIdentities(vault), vault);
        members.Add(identity.History, signing.Attestation, time.Now);
        Assert.True(new OckamCredentialAuthentication(members, time).Accepts(package.LeafNode));
    }

    [Fact]
    public async Task Its_lifetime_ends_with_the_signing_attestation_and_only_an_unexpired_group_signing_key_signs()
    {
        using var vault = new SoftwareVault();
        var (identity, signing) = await MemberAsync(vault, TimeSpan.FromDays(2));
        var package = (await OckamKeyPackages.CreateAsync(vault, signing, time, [], KeyPersistence.Ephemeral)).KeyPackage;
        Assert.Equal((ulong)signing.Attestation.ExpiresAt.ToUnixTimeSeconds(), package.LeafNode.Lifetime!.NotAfter);

        var agreement = await new IdentityManager(vault, time).CreatePurposeKeyAsync(identity, Purpose.CredentialSigning, TimeSpan.FromDays(2), KeyPersistence.Ephemeral);
        await Assert.ThrowsAsync<ArgumentException>(() => OckamKeyPackages.CreateAsync(vault, agreement, time, [], KeyPersistence.Ephemeral));
        time.Advance(TimeSpan.FromDays(3));
        await Assert.ThrowsAsync<ArgumentException>(() => OckamKeyPackages.CreateAsync(vault, signing, time, [], KeyPersistence.Ephemeral));
    }

    [Fact]
    public async Task The_check_refuses_another_identitys_package_one_under_another_key_an_expired_or_a_tampered_one()
    {
        using var vault = new SoftwareVault();
        var (alice, aliceSigning) = await MemberAsync(vault, TimeSpan.FromDays(60));
        var (bob, bobSigning) = await MemberAsync(vault, TimeSpan.FromDays(60));
        var encoded = (await OckamKeyPackages.CreateAsync(vault, aliceSigning, time, [], KeyPersistence.Ephemeral)).KeyPackage.Encode();

        Assert.Contains("credential names", Assert.Throws<MlsCryptoException>(() => OckamKeyPackages.Check(vault, encoded, bob.Identifier, aliceSigning.Attestation.PublicKey, time.Now)).Message);
        Assert.Contains("signature key", Assert.Throws<MlsCryptoException>(() => OckamKeyPackages.Check(vault, encoded, alice.Identifier, bobSigning.Attestation.PublicKey, time.Now)).Message);
        Assert.Contains("lifetime", Assert.Throws<MlsCryptoException>(() => OckamKeyPackages.Check(vault, encoded, alice.Identifier, aliceSigning.Attestation.PublicKey, time.Now.AddDays(31))).Message);
        var tampered = (byte[])encoded.Clone();
        tampered[^1] ^= 1;
        Assert.Throws<MlsCryptoException>(() => OckamKeyPackages.Check(vault, tampered, alice.Identifier, aliceSigning.Attestation.PublicKey, time.Now));
        Assert.Throws<Ockam.Identity.Encoding.OckamDecodeException>(() => OckamKeyPackages.Check(vault, encoded.AsSpan(0, encoded.Length - 1), alice.Identifier, aliceSigning.Attestation.PublicKey, time.Now));
    }

    [Fact]
    public async Task Persistent_init_and_encryption_keys_are_in_the_vault_file_and_ephemeral_ones_are_not()
    {
        KeyPackageBundle persistent, ephemeral;
        using (var vault = await SoftwareVault.OpenAsync(Path.Combine(directory, "vault.cbor")))
        {
            var (_, signing) = await MemberAsync(vault, TimeSpan.FromDays(60));
            persistent = await OckamKeyPackages.CreateAsync(vault, signing, time, [], KeyPersistence.Persistent);
            ephemeral = await OckamKeyPackages.CreateAsync(vault, signing, time, [], KeyPersistence.Ephemeral);
        }

        using var reopened = await SoftwareVault.OpenAsync(Path.Combine(directory, "vault.cbor"));
        Assert.Equal(persistent.KeyPackage.InitKey.ToArray(), reopened.GetPublicKey(persistent.InitKey));
        Assert.Equal(persistent.KeyPackage.LeafNode.EncryptionKey.ToArray(), reopened.GetPublicKey(persistent.EncryptionKey));
        Assert.False(reopened.Contains(ephemeral.InitKey));
        Assert.False(reopened.Contains(ephemeral.EncryptionKey));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private async Task<(LocalIdentity Identity, PurposeKey Signing)> MemberAsync(SoftwareVault vault, TimeSpan signingLifetime)
    {
        var identities = new IdentityManager(vault, time);
        var identity = await identities.CreateAsync();
        return (identity, await identities.CreatePurposeKeyAsync(identity, Purpose.GroupSigning, signingLifetime, KeyPersistence.Ephemeral));
    }
}
