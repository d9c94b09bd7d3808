using System.Text.Json;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors key-schedule.json (RFC 9420 §8, §8.1, §8.3, §8.5) for cipher suite 1: epoch
/// after epoch, from the previous init_secret, the commit_secret, the psk_secret and the group context, every
/// secret of the epoch, external_pub and an MLS-Exporter output.
/// </summary>
public sealed class KeyScheduleVectorTests
{
    private const int SuiteOneCases = 1;
    private const int EpochsChecked = 5;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public void Every_epoch_of_the_suite_1_vectors_agrees()
    {
        using var document = TestVectors.Load("mls/key-schedule.json");
        var cases = 0;
        var epochs = 0;
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            using var vault = new SoftwareVault();
            var groupId = vector.Hex("group_id");
            var initSecret = vault.ImportEphemeralKey(KeyType.Secret, vector.Hex("initial_init_secret"));
            EpochSecrets? previous = null;
            var epoch = 0ul;
            foreach (var v in vector.GetProperty("epochs").EnumerateArray())
            {
                var context = new GroupContext(Suite.Id, groupId, epoch, v.Hex("tree_hash"), v.Hex("confirmed_transcript_hash"), []);
                Assert.Equal(v.Hex("group_context"), context.Encode());

                var commitSecret = vault.ImportEphemeralKey(KeyType.Secret, v.Hex("commit_secret"));
                var pskSecret = vault.ImportEphemeralKey(KeyType.Secret, v.Hex("psk_secret"));
                var secrets = EpochSecrets.Derive(vault, initSecret, commitSecret, pskSecret, context);
                vault.DeleteEphemeralKey(commitSecret);
                vault.DeleteEphemeralKey(pskSecret);
                if (previous is null)
                {
                    vault.DeleteEphemeralKey(initSecret);
                }

                previous?.Dispose();
                EpochAgrees(vault, secrets, v);
                previous = secrets;
                initSecret = secrets.InitSecret;
                epoch++;
                epochs++;
            }

            previous?.Dispose();

            // Every secret the schedule derived, and every one the test imported, is gone.
            Assert.Equal(0, vault.Count);
            cases++;
        }

        Assert.Equal(SuiteOneCases, cases);
        Assert.Equal(EpochsChecked, epochs);
    }

    [Fact]
    public void A_disposed_epoch_exports_nothing()
    {
        using var vault = new SoftwareVault();
        var zero = vault.ImportEphemeralKey(KeyType.Secret, new byte[32]);
        var secrets = EpochSecrets.Derive(vault, zero, zero, zero, new GroupContext(Suite.Id, "g"u8, 0, new byte[32], new byte[32], []));
        secrets.Dispose();
        secrets.Dispose();
        Assert.Throws<ObjectDisposedException>(() => secrets.Export("label"u8, [], 32));
        vault.DeleteEphemeralKey(zero);
        Assert.Equal(0, vault.Count);
    }

    private static void EpochAgrees(SoftwareVault vault, EpochSecrets secrets, JsonElement v)
    {
        Assert.Equal(v.Hex("joiner_secret"), vault.ExportSecret(secrets.JoinerSecret));
        Assert.Equal(v.Hex("welcome_secret"), vault.ExportSecret(secrets.WelcomeSecret));
        Assert.Equal(v.Hex("init_secret"), vault.ExportSecret(secrets.InitSecret));
        Assert.Equal(v.Hex("sender_data_secret"), vault.ExportSecret(secrets.SenderDataSecret));
        Assert.Equal(v.Hex("encryption_secret"), vault.ExportSecret(secrets.EncryptionSecret));
        Assert.Equal(v.Hex("exporter_secret"), vault.ExportSecret(secrets.ExporterSecret));
        Assert.Equal(v.Hex("epoch_authenticator"), vault.ExportSecret(secrets.EpochAuthenticator));
        Assert.Equal(v.Hex("external_secret"), vault.ExportSecret(secrets.ExternalSecret));
        Assert.Equal(v.Hex("confirmation_key"), vault.ExportSecret(secrets.ConfirmationKey));
        Assert.Equal(v.Hex("membership_key"), vault.ExportSecret(secrets.MembershipKey));
        Assert.Equal(v.Hex("resumption_psk"), vault.ExportSecret(secrets.ResumptionPsk));
        Assert.Equal(v.Hex("external_pub"), secrets.ExternalPub);

        // The generator used the label's hex text itself as the label (as other implementations' vector tests do).
        var exporter = v.GetProperty("exporter");
        var exported = secrets.Export(System.Text.Encoding.ASCII.GetBytes(exporter.GetProperty("label").GetString()!), exporter.Hex("context"), exporter.GetProperty("length").GetInt32());
        Assert.Equal(exporter.Hex("secret"), vault.ExportSecret(exported));
        vault.DeleteEphemeralKey(exported);
    }
}
