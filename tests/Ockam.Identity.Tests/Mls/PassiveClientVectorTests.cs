using System.Text.Json;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg passive-client vectors (test-vectors.md "Passive Client Scenarios") for cipher suite 1, run exactly per
/// their Verification list: the private keys match the key package's public keys; the client joins from the Welcome
/// (with the ratchet tree given, or from the ratchet_tree extension) and the external PSKs; its epoch authenticator is
/// initial_epoch_authenticator; then, epoch after epoch, it takes the proposals, applies the commit, and its epoch
/// authenticator is the epoch's.
/// </summary>
public sealed class PassiveClientVectorTests
{
    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public void Every_welcome_case_joins() => Assert.Equal((8, 0), RunAll("mls/passive-client-welcome.json"));

    [Fact]
    public void Every_handling_commit_case_follows_its_epochs() => Assert.Equal((13, 26), RunAll("mls/passive-client-handling-commit.json"));

    [Fact]
    public void The_random_case_follows_its_200_epochs() => Assert.Equal((1, 200), RunAll("mls/passive-client-random.json"));

    private static (int Cases, int Epochs) RunAll(string file)
    {
        using var document = TestVectors.Load(file);
        var cases = 0;
        var epochs = 0;
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            epochs += Run(vector);
            cases++;
        }

        return (cases, epochs);
    }

    private static int Run(JsonElement vector)
    {
        using var vault = new SoftwareVault();
        var keyPackage = MlsMessage.Decode(vector.Hex("key_package")).KeyPackage!;
        var signatureKey = vault.ImportEphemeralKey(KeyType.Ed25519, vector.Hex("signature_priv"));
        var encryptionKey = vault.ImportEphemeralKey(KeyType.X25519, vector.Hex("encryption_priv"));
        var initKey = vault.ImportEphemeralKey(KeyType.X25519, vector.Hex("init_priv"));
        Assert.Equal(keyPackage.LeafNode.SignatureKey.ToArray(), vault.GetPublicKey(signatureKey));
        Assert.Equal(keyPackage.LeafNode.EncryptionKey.ToArray(), vault.GetPublicKey(encryptionKey));
        Assert.Equal(keyPackage.InitKey.ToArray(), vault.GetPublicKey(initKey));

        var externalPsks = vector.GetProperty("external_psks").EnumerateArray()
            .Select(p => (Id: p.Hex("psk_id"), Psk: vault.ImportEphemeralKey(KeyType.Secret, p.Hex("psk"))))
            .ToList();
        var services = new MlsGroupServices(
            vault,
            new BasicCredentialAuthentication(),
            externalPsks: id => externalPsks.FirstOrDefault(p => p.Id.AsSpan().SequenceEqual(id.PskId)).Psk);

        var welcome = MlsMessage.Decode(vector.Hex("welcome")).Welcome!;
        var ratchetTree = vector.GetProperty("ratchet_tree").ValueKind == JsonValueKind.Null ? null : RatchetTree.Decode(vector.Hex("ratchet_tree"));
        var epochs = 0;
        using (var group = MlsGroup.Join(services, welcome, keyPackage, initKey, encryptionKey, signatureKey, ratchetTree))
        {
            Assert.False(vault.Contains(initKey));
            Assert.Equal(vector.Hex("initial_epoch_authenticator"), vault.ExportSecret(group.EpochAuthenticator));
            foreach (var epoch in vector.GetProperty("epochs").EnumerateArray())
            {
                foreach (var proposal in epoch.GetProperty("proposals").EnumerateArray())
                {
                    group.ProcessProposal(MlsMessage.Decode(Convert.FromHexString(proposal.GetString()!)));
                }

                group.ProcessCommit(MlsMessage.Decode(epoch.Hex("commit")));
                Assert.Equal(epoch.Hex("epoch_authenticator"), vault.ExportSecret(group.EpochAuthenticator));
                epochs++;
            }
        }

        vault.DeleteEphemeralKey(signatureKey);
        foreach (var (_, psk) in externalPsks)
        {
            vault.DeleteEphemeralKey(psk);
        }

        // The group deleted every secret it held.
        Assert.Equal(0, vault.Count);
        return epochs;
    }
}
