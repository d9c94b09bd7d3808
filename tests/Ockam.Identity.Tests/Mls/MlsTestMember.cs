using Ockam.Identity.Mls;
using Ockam.Identity.Tests.Support;
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

    private readonly MlsGroupServices services;
    private readonly KeyHandle signatureKey;
    private MlsGroup? group;

    private MlsTestMember(SoftwareVault vault, MlsGroupServices services, KeyHandle signatureKey, KeyPackageBundle bundle)
    {
        Vault = vault;
        this.services = services;
        this.signatureKey = signatureKey;
        Bundle = bundle;
    }

    public SoftwareVault Vault { get; }

    public KeyPackageBundle Bundle { get; }

    public MlsGroup Group => group ?? throw new InvalidOperationException("not in a group");

    /// <summary>A member; with <paramref name="externalPsk"/>, it holds that external PSK under the id "shared".</summary>
    public static async Task<MlsTestMember> CreateAsync(string name, IMlsAuthenticationService? authentication = null, IMembershipPolicy? policy = null, byte[]? externalPsk = null)
    {
        var vault = new SoftwareVault();
        var signatureKey = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var bundle = await KeyPackageBundle.CreateAsync(vault, Suite, Credential.Basic(System.Text.Encoding.UTF8.GetBytes(name)), Capabilities, Lifetime, signatureKey);
        var psk = externalPsk is null ? null : vault.ImportEphemeralKey(KeyType.Secret, externalPsk);
        var services = new MlsGroupServices(
            vault, authentication ?? new BasicCredentialAuthentication(), policy, Time, id => id.PskId.SequenceEqual("shared"u8) ? psk : null);
        return new MlsTestMember(vault, services, signatureKey, bundle);
    }

    public async Task FoundAsync(byte[] groupId, IReadOnlyList<Extension>? extensions = null) =>
        group = await MlsGroup.CreateAsync(services, groupId, Bundle, signatureKey, extensions ?? []);

    public void Join(Welcome welcome, RatchetTree? tree) =>
        group = MlsGroup.Join(services, welcome, Bundle.KeyPackage, Bundle.InitKey, Bundle.EncryptionKey, signatureKey, tree);

    /// <summary>What a failed operation must not change: epoch, authenticator, tree hash, transcript, members, vault size.</summary>
    public string Snapshot() => string.Join(
        '|',
        Group.Epoch,
        Convert.ToHexString(Vault.ExportSecret(Group.EpochAuthenticator)),
        Convert.ToHexString(Group.Context.TreeHash),
        Convert.ToHexString(Group.Context.ConfirmedTranscriptHash),
        string.Join(',', Group.Members.Select(m => m.Index.Value)),
        Vault.Count);

    public void Dispose()
    {
        group?.Dispose();
        Vault.Dispose();
    }
}
