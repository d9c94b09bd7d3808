using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// One of our own MLS clients for the group tests: its own vault, an Ed25519 signature key, a key package with a basic
/// credential, the test Authentication Service (unless given another) and a group once it founds or joins one.
/// </summary>
internal sealed class MlsTestMember : IDisposable
{
    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;
    private static readonly ManualTime Time = new();
    private static readonly Capabilities Capabilities = new([(ushort)ProtocolVersion.Mls10], [Suite.Id], [], [], [(ushort)CredentialType.Basic]);
    private static readonly Lifetime Lifetime = new((ulong)Time.Now.AddHours(-1).ToUnixTimeSeconds(), (ulong)Time.Now.AddDays(30).ToUnixTimeSeconds());

    private readonly IMlsAuthenticationService authentication;
    private readonly IMembershipPolicy? policy;
    private readonly byte[]? externalPsk;
    private MlsGroupServices services;
    private KeyHandle signatureKey;
    private MlsGroup? group;

    private MlsTestMember(
        SoftwareVault vault, MlsGroupServices services, KeyHandle signatureKey, KeyPackageBundle bundle, IMlsAuthenticationService authentication, IMembershipPolicy? policy, byte[]? externalPsk)
    {
        Vault = vault;
        this.services = services;
        this.signatureKey = signatureKey;
        this.authentication = authentication;
        this.policy = policy;
        this.externalPsk = externalPsk;
        Bundle = bundle;
    }

    public SoftwareVault Vault { get; private set; }

    public KeyPackageBundle Bundle { get; }

    public MlsGroup Group => group ?? throw new InvalidOperationException("not in a group");

    /// <summary>A member; with <paramref name="externalPsk"/>, it holds that external PSK under the id "shared".</summary>
    public static async Task<MlsTestMember> CreateAsync(string name, IMlsAuthenticationService? authentication = null, IMembershipPolicy? policy = null, byte[]? externalPsk = null)
    {
        var vault = new SoftwareVault();
        var signatureKey = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var bundle = await KeyPackageBundle.CreateAsync(vault, Suite, Credential.Basic(System.Text.Encoding.UTF8.GetBytes(name)), Capabilities, Lifetime, signatureKey);
        authentication ??= new BasicCredentialAuthentication();
        return new MlsTestMember(vault, Services(vault, authentication, policy, externalPsk), signatureKey, bundle, authentication, policy, externalPsk);
    }

    public async Task FoundAsync(byte[] groupId, IReadOnlyList<Extension>? extensions = null) =>
        group = await MlsGroup.CreateAsync(services, groupId, Bundle, signatureKey, extensions ?? []);

    public void Join(Welcome welcome, RatchetTree? tree) =>
        group = MlsGroup.Join(services, welcome, Bundle.KeyPackage, Bundle.InitKey, Bundle.EncryptionKey, signatureKey, tree);

    /// <summary>
    /// A restart, as a CLI command's process ends and the next begins: the group is saved under a wrapping key, the
    /// process's vault is dropped with every ephemeral key in it, and a new vault — holding only what a node keeps on
    /// disk, the signature key and the wrapping key — restores the group from the saved bytes. Returns them.
    /// </summary>
    public async Task<byte[]> RestartAsync()
    {
        var wrappingKey = await Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral);
        var saved = Group.Save(wrappingKey);
        await RestartFromAsync(saved, wrappingKey);
        return saved;
    }

    /// <summary>A restart that restores <paramref name="saved"/>, wrapped under <paramref name="wrappingKey"/> of the current vault.</summary>
    public async Task RestartFromAsync(byte[] saved, KeyHandle wrappingKey)
    {
        var vault = new SoftwareVault();
        var newSignatureKey = await vault.ImportKeyAsync(KeyType.Ed25519, Vault.ExportSecret(signatureKey), KeyPersistence.Persistent);
        var newWrappingKey = await vault.ImportKeyAsync(KeyType.AesGcm, Vault.ExportSecret(wrappingKey), KeyPersistence.Persistent);
        group?.Dispose();
        Vault.Dispose();
        Vault = vault;
        signatureKey = newSignatureKey;
        services = Services(vault, authentication, policy, externalPsk);
        group = MlsGroup.Restore(services, newWrappingKey, signatureKey, saved);
    }

    /// <summary>
    /// A restart from the epoch state <paramref name="epochState"/> and the progress record <paramref name="progress"/>
    /// made over it, both wrapped under <paramref name="wrappingKey"/> of the current vault. Returns the wrapping key's handle in the new vault.
    /// </summary>
    public async Task<KeyHandle> RestartFromAsync(byte[] epochState, byte[] progress, KeyHandle wrappingKey)
    {
        var vault = new SoftwareVault();
        var newSignatureKey = await vault.ImportKeyAsync(KeyType.Ed25519, Vault.ExportSecret(signatureKey), KeyPersistence.Persistent);
        var newWrappingKey = await vault.ImportKeyAsync(KeyType.AesGcm, Vault.ExportSecret(wrappingKey), KeyPersistence.Persistent);
        group?.Dispose();
        Vault.Dispose();
        Vault = vault;
        signatureKey = newSignatureKey;
        services = Services(vault, authentication, policy, externalPsk);
        group = MlsGroup.Restore(services, newWrappingKey, signatureKey, epochState, progress);
        return newWrappingKey;
    }

    /// <summary>Restores <paramref name="epochState"/> with <paramref name="progress"/> as a second group object, or throws as Restore does.</summary>
    public MlsGroup Restore(KeyHandle wrappingKey, ReadOnlySpan<byte> epochState, ReadOnlySpan<byte> progress) =>
        MlsGroup.Restore(services, wrappingKey, signatureKey, epochState, progress);

    /// <summary>Restores <paramref name="saved"/> in this member's vault as a second group object, or throws as Restore does.</summary>
    public MlsGroup Restore(KeyHandle wrappingKey, ReadOnlySpan<byte> saved) => MlsGroup.Restore(services, wrappingKey, signatureKey, saved);

    /// <summary>What a failed operation must not change: epoch, authenticator, tree hash, transcript, members, vault size.</summary>
    public string Snapshot() => string.Join(
        '|',
        Group.Epoch,
        Convert.ToHexString(Vault.ExportSecret(Group.EpochAuthenticator)),
        Convert.ToHexString(Group.Context.TreeHash),
        Convert.ToHexString(Group.Context.ConfirmedTranscriptHash),
        string.Join(',', Group.Members.Select(m => m.Index.Value)),
        Vault.Count);

    private static MlsGroupServices Services(SoftwareVault vault, IMlsAuthenticationService authentication, IMembershipPolicy? policy, byte[]? externalPsk)
    {
        var psk = externalPsk is null ? null : vault.ImportEphemeralKey(KeyType.Secret, externalPsk);
        return new MlsGroupServices(vault, authentication, policy, Time, id => id.PskId.SequenceEqual("shared"u8) ? psk : null);
    }

    public void Dispose()
    {
        group?.Dispose();
        Vault.Dispose();
    }
}
