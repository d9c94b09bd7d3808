using System.Numerics;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Bench.Mls;

/// <summary>
/// A room of <c>members</c> MLS members for the benchmarks: a founder (leaf 0) that commits, and a receiver that
/// follows its commits. A room built by adds alone has blank parent nodes, and a commit with a path would encrypt
/// to every leaf instead of about log2(n) nodes; in a room whose members have updated, the nodes are filled. So the
/// room is built by batch adds (one commit adding many key packages), one batch per aligned subtree ("block"), in
/// leaf order, and the first member of each block joins and commits one update, which fills its direct path and so
/// the block's root. The blocks are the subtrees of the founder's copath ([2^k, 2^(k+1))), so that every node the
/// founder encrypts to is filled; with <c>fillAroundRemoved</c>, the block holding the member the remove
/// benchmarks remove (the last leaf) is further split into the subtrees of that member's copath, so that its
/// removal, which blanks its direct path, leaves filled nodes under it as in a room where everyone has updated
/// (the committer then encrypts to about 2·log2(n) nodes: the removed member is in the far half of the tree).
/// The receiver is the first member of the far half (leaf 2^(K-1)), the only one besides the founder that keeps its
/// group; the other updaters leave theirs once they have updated.
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

    public static MlsRoom Build(int members, bool fillAroundRemoved = false) => BuildAsync(members, fillAroundRemoved).GetAwaiter().GetResult();

    /// <summary>The blocks [start, end) the room is added in, in leaf order (see the class summary).</summary>
    internal static List<(int Start, int End)> Blocks(int members, bool fillAroundRemoved)
    {
        var blocks = new List<(int Start, int End)>();
        var far = 1;
        while (far * 2 < members)
        {
            far *= 2;
        }

        for (var start = 1; start < members; start *= 2)
        {
            if (fillAroundRemoved && start == far)
            {
                // The far half holds the removed member r = members - 1: split it into r's copath subtrees and r.
                var removed = members - 1;
                for (var size = 1; size < far; size *= 2)
                {
                    var sibling = (removed / size ^ 1) * size;
                    if (sibling < members)
                    {
                        blocks.Add((sibling, Math.Min(sibling + size, members)));
                    }
                }

                blocks.Add((removed, members));
            }
            else
            {
                blocks.Add((start, Math.Min(start * 2, members)));
            }
        }

        blocks.Sort();
        return blocks;
    }

    /// <summary>A key package for someone not in the room, its keys in the shared pool vault.</summary>
    public KeyPackage NewKeyPackage(string name) => MlsBenchMember.KeyPackageAsync(pool, name).GetAwaiter().GetResult().KeyPackage;

    public void Dispose()
    {
        Founder.Dispose();
        Receiver.Dispose();
        pool.Dispose();
    }

    private static async Task<MlsRoom> BuildAsync(int members, bool fillAroundRemoved)
    {
        if (members < 4 || BitOperations.IsPow2(members - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(members), "a room of at least 4, and not 2^k + 1 (the receiver, leaf 2^k, would be the one removed)");
        }

        var pool = new SoftwareVault();
        var founder = await MlsBenchMember.CreateAsync("m0");
        await founder.FoundAsync("bench-room"u8.ToArray());
        var far = 1;
        while (far * 2 < members)
        {
            far *= 2;
        }

        MlsBenchMember? receiver = null;
        foreach (var (start, end) in Blocks(members, fillAroundRemoved))
        {
            var updates = end - start > 1 || start == far;
            var first = updates ? await MlsBenchMember.CreateAsync($"m{start}") : null;
            var proposals = new List<Proposal>();
            for (var i = start; i < end; i++)
            {
                var keyPackage = i == start && first is not null ? first.Bundle.KeyPackage : (await MlsBenchMember.KeyPackageAsync(pool, $"m{i}")).KeyPackage;
                proposals.Add(new Proposal(new AddProposal(keyPackage)));
            }

            var add = await founder.Group.CommitAsync(proposals, ratchetTreeInWelcome: first is not null);
            founder.Group.MergePendingCommit();
            receiver?.Group.ProcessCommit(add.Commit);
            if (first is null)
            {
                continue;
            }

            // The block's first member joins; its update fills its direct path, the block's root among it.
            first.Join(add.Welcome!, null);
            var update = await first.Group.CommitAsync([]);
            first.Group.MergePendingCommit();
            founder.Group.ProcessCommit(update.Commit);
            receiver?.Group.ProcessCommit(update.Commit);
            if (start == far)
            {
                receiver = first;
            }
            else
            {
                first.Dispose();
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
