using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;

namespace Ockam.Testing;

/// <summary>
/// An MLS client with a real Ockam identity for the Delivery Service tests: its own vault, a GroupSigning (and a
/// GroupKeyAgreement) purpose key published with its history to its identity grain, a key package whose basic
/// credential names its identifier and whose leaf its GroupSigning key signs, and a group once it founds or joins one.
/// The client itself accepts every credential and lets any member change membership: the checks under test are the
/// Delivery Service's, and an attacker's client would skip its own anyway.
/// </summary>
internal sealed class DsMember : IDisposable
{
    public static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    private readonly MlsGroupServices services;
    private MlsGroup? group;

    private DsMember(SoftwareVault vault, TimeProvider time, IdentityManager identities, LocalIdentity identity, PurposeKey signingKey, KeyPackageBundle bundle)
    {
        Vault = vault;
        Identities = identities;
        Identity = identity;
        SigningKey = signingKey;
        Bundle = bundle;
        services = new MlsGroupServices(vault, AcceptAll.Instance, time: time);
    }

    public SoftwareVault Vault { get; }

    public IdentityManager Identities { get; }

    public LocalIdentity Identity { get; }

    public string Id => Identity.Identifier.ToString();

    public PurposeKey SigningKey { get; }

    public KeyPackageBundle Bundle { get; }

    public MlsGroup Group => group ?? throw new InvalidOperationException("not in a group");

    public static Capabilities Capabilities { get; } =
        new([(ushort)ProtocolVersion.Mls10], [Suite.Id], [(ushort)GroupRoles.Type], [], [(ushort)CredentialType.Basic]);

    public static Lifetime Lifetime(TimeProvider time) =>
        new((ulong)time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds(), (ulong)time.GetUtcNow().AddDays(365).ToUnixTimeSeconds());

    /// <summary>A client whose identity and group keys are published to <paramref name="grains"/>, at the silo's clock <paramref name="time"/>.</summary>
    public static async Task<DsMember> CreateAsync(IGrainFactory grains, TimeProvider time)
    {
        var vault = new SoftwareVault();
        var identities = new IdentityManager(vault, time);
        var identity = await identities.CreateAsync();
        var signing = await identities.CreatePurposeKeyAsync(identity, Purpose.GroupSigning, TimeSpan.FromDays(365), KeyPersistence.Ephemeral);
        var agreement = await identities.CreatePurposeKeyAsync(identity, Purpose.GroupKeyAgreement, TimeSpan.FromDays(365), KeyPersistence.Ephemeral);
        var grain = grains.GetGrain<IIdentityGrain>(identity.Identifier.ToString());
        Assert.Equal(PublicationOutcome.Accepted, (await grain.PublishAsync(identity.History.Encode())).Outcome);
        Assert.True(await grain.PublishGroupKeysAsync(agreement.Attestation.Encode(), signing.Attestation.Encode()));
        var bundle = await KeyPackageBundle.CreateAsync(vault, Suite, Credential.Basic(identity.Identifier.ToBytes()), Capabilities, Lifetime(time), signing.Key);
        return new DsMember(vault, time, identities, identity, signing, bundle);
    }

    /// <summary>Another key package of this member, signed by its attested key.</summary>
    public async Task<KeyPackage> AnotherPackageAsync(TimeProvider time) =>
        (await KeyPackageBundle.CreateAsync(Vault, Suite, Credential.Basic(Identity.Identifier.ToBytes()), Capabilities, Lifetime(time), SigningKey.Key)).KeyPackage;

    /// <summary>A key package naming this member's identifier but carrying, and signed by, a fresh key no identity attested.</summary>
    public async Task<KeyPackage> ForgedPackageAsync(TimeProvider time)
    {
        var key = await Vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        return (await KeyPackageBundle.CreateAsync(Vault, Suite, Credential.Basic(Identity.Identifier.ToBytes()), Capabilities, Lifetime(time), key)).KeyPackage;
    }

    /// <summary>Founds <paramref name="id"/> (MLS group id: its value's UTF-8) with <paramref name="admins"/> in the roles; returns the GroupInfo (an MLSMessage) and the tree to create it at the Delivery Service with.</summary>
    public async Task<(byte[] GroupInfo, byte[] Tree)> FoundAsync(GroupId id, params DsMember[] admins)
    {
        var roles = GroupRoles.Of([.. admins.Select(a => a.Identity.Identifier)]);
        group = await MlsGroup.CreateAsync(services, System.Text.Encoding.UTF8.GetBytes(id.Value), Bundle, SigningKey.Key, [roles.ToExtension()]);
        return (MlsMessage.Of(group.GroupInfo(withRatchetTree: false)).Encode(), group.ExportRatchetTree().Encode());
    }

    public void Join(byte[] welcome, byte[] tree) =>
        group = MlsGroup.Join(services, MlsMessage.Decode(welcome).Welcome!, Bundle.KeyPackage, Bundle.InitKey, Bundle.EncryptionKey, SigningKey.Key, RatchetTree.Decode(tree));

    /// <summary>A commit of <paramref name="proposals"/> (pending): its bytes and its Welcome's, if it adds.</summary>
    public async Task<(byte[] Commit, byte[]? Welcome)> CommitAsync(params Proposal[] proposals)
    {
        var pending = await Group.CommitAsync(proposals, ratchetTreeInWelcome: false);
        return (pending.Commit.Encode(), pending.Welcome is { } welcome ? MlsMessage.Of(welcome).Encode() : null);
    }

    public byte[] Encrypt(string text) => Group.Encrypt(System.Text.Encoding.UTF8.GetBytes(text)).Encode();

    public string Decrypt(byte[] message) => System.Text.Encoding.UTF8.GetString(Group.Decrypt(MlsMessage.Decode(message)).ApplicationData);

    public void Dispose()
    {
        group?.Dispose();
        Vault.Dispose();
    }

    private sealed class AcceptAll : IMlsAuthenticationService
    {
        public static AcceptAll Instance { get; } = new();

        public bool Accepts(LeafNode leaf) => true;
    }
}
