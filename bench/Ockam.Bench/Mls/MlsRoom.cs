using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Bench.Mls;

/// <summary>
/// A room of <c>members</c> MLS members for the benchmarks: a founder (leaf 0) that commits, and a receiver that
/// follows its commits. Built by batch adds (one commit adding many key packages): batch k adds leaves
/// [2^k, 2^(k+1)), and the first member of each batch joins and commits one update, so that every node on the
/// founder's copath is filled, as in a room whose members have updated. A room built by adds alone has blank parent
/// nodes, and a commit with a path would encrypt to every leaf instead of log2(n) nodes.
/// The receiver is the last of those members, the only one besides the founder that keeps its group.
/// </summary>
internal sealed class MlsRoom : IDisposable
{
    private readonly SoftwareVault pool;

    private MlsRoom(SoftwareVault pool, MlsBenchMember founder, MlsBenchMember receiver, int members)
    {
        this.pool = pool;
        Founder = founder;
        Receiver = receiver;
        Members = members;
    }

    public MlsBenchMember Founder { get; }

    public MlsBenchMember Receiver { get; }

    public int Members { get; }

    /// <summary>The member the remove benchmarks remove: the last leaf (neither the founder nor the receiver).</summary>
    public LeafIndex Removed => new((uint)(Members - 1));

    public static MlsRoom Build(int members) => BuildAsync(members).GetAwaiter().GetResult();

    /// <summary>A key package for someone not in the room, its keys in the shared pool vault.</summary>
    public KeyPackage NewKeyPackage(string name) => MlsBenchMember.KeyPackageAsync(pool, name).GetAwaiter().GetResult().KeyPackage;

    public void Dispose()
    {
        Founder.Dispose();
        Receiver.Dispose();
        pool.Dispose();
    }

    private static async Task<MlsRoom> BuildAsync(int members)
    {
        if (members < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(members), "a room of at least 3: founder, receiver, one to remove");
        }

        var pool = new SoftwareVault();
        var founder = await MlsBenchMember.CreateAsync("m0");
        await founder.FoundAsync("bench-room"u8.ToArray());
        MlsBenchMember? receiver = null;
        for (var k = 0; (1 << k) < members; k++)
        {
            int from = 1 << k, to = Math.Min(2 << k, members);
            var updater = await MlsBenchMember.CreateAsync($"m{from}");
            var proposals = new List<Proposal> { new(new AddProposal(updater.Bundle.KeyPackage)) };
            for (var i = from + 1; i < to; i++)
            {
                proposals.Add(new Proposal(new AddProposal((await MlsBenchMember.KeyPackageAsync(pool, $"m{i}")).KeyPackage)));
            }

            var add = await founder.Group.CommitAsync(proposals);
            founder.Group.MergePendingCommit();
            updater.Join(add.Welcome!, null);

            // The updater's direct path holds the founder's copath node at level k: its update fills it.
            var update = await updater.Group.CommitAsync([]);
            updater.Group.MergePendingCommit();
            founder.Group.ProcessCommit(update.Commit);
            if (to == members)
            {
                receiver = updater;
            }
            else
            {
                updater.Dispose();
            }
        }

        return new MlsRoom(pool, founder, receiver!, members);
    }
}

/// <summary>One MLS client: its own vault, an Ed25519 signature key, a key package with a basic credential.</summary>
internal sealed class MlsBenchMember : IDisposable
{
    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;
    private static readonly Capabilities Capabilities = new([(ushort)ProtocolVersion.Mls10], [Suite.Id], [], [], [(ushort)CredentialType.Basic]);
    private static readonly Lifetime Lifetime = new(
        (ulong)DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds(), (ulong)DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds());

    private readonly KeyHandle signatureKey;
    private MlsGroup? group;

    private MlsBenchMember(SoftwareVault vault, KeyHandle signatureKey, KeyPackageBundle bundle)
    {
        Vault = vault;
        Services = new MlsGroupServices(vault, new BasicAuthentication());
        this.signatureKey = signatureKey;
        Bundle = bundle;
    }

    public SoftwareVault Vault { get; }

    public MlsGroupServices Services { get; }

    public KeyPackageBundle Bundle { get; }

    public MlsGroup Group => group ?? throw new InvalidOperationException("not in a group");

    public static async Task<MlsBenchMember> CreateAsync(string name)
    {
        var vault = new SoftwareVault();
        var signatureKey = await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var bundle = await KeyPackageAsync(vault, name, signatureKey);
        return new MlsBenchMember(vault, signatureKey, bundle);
    }

    public static MlsBenchMember Create(string name) => CreateAsync(name).GetAwaiter().GetResult();

    public static async Task<KeyPackageBundle> KeyPackageAsync(SoftwareVault vault, string name, KeyHandle? signatureKey = null)
    {
        signatureKey ??= await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        return await KeyPackageBundle.CreateAsync(vault, Suite, Credential.Basic(System.Text.Encoding.UTF8.GetBytes(name)), Capabilities, Lifetime, signatureKey);
    }

    public async Task FoundAsync(byte[] groupId) => group = await MlsGroup.CreateAsync(Services, groupId, Bundle, signatureKey, []);

    public void Join(Welcome welcome, RatchetTree? tree) =>
        group = MlsGroup.Join(Services, welcome, Bundle.KeyPackage, Bundle.InitKey, Bundle.EncryptionKey, signatureKey, tree);

    public void Dispose()
    {
        group?.Dispose();
        Vault.Dispose();
    }

    /// <summary>The Authentication Service of the benchmarks: any basic credential with an identity.</summary>
    private sealed class BasicAuthentication : IMlsAuthenticationService
    {
        public bool Accepts(LeafNode leaf) => leaf.Credential.CredentialType == CredentialType.Basic && !leaf.Credential.Identity.IsEmpty;
    }
}
