using System.Text.Json;
using Ockam.Identity.Hpke;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Hpke;

/// <summary>
/// RFC 9180's test vectors for DHKEM(X25519), HKDF-SHA256 with AES-256-GCM (hpke.json) and AES-128-GCM
/// (hpke-aes128.json), all four modes, through the vault: one contract test over every suite.
/// </summary>
public abstract class HpkeVectorTests(Curve25519Provider provider) : IDisposable
{
    private static readonly Dictionary<string, HpkeSuite> SuiteOfFile = new(StringComparer.Ordinal)
    {
        ["hpke.json"] = HpkeSuite.X25519Sha256Aes256Gcm,
        ["hpke-aes128.json"] = HpkeSuite.X25519Sha256Aes128Gcm,
    };

    private readonly SoftwareVault vault = new(provider);

    public static TheoryData<string> Suites => new(SuiteOfFile.Keys);

    public static TheoryData<string, int> FilesAndModes
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var file in SuiteOfFile.Keys)
            {
                foreach (var mode in Enum.GetValues<HpkeMode>())
                {
                    data.Add(file, (int)mode);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(FilesAndModes))]
    public async Task Every_encryption_and_export_of_the_vector_matches(string file, int mode)
    {
        var suite = SuiteOfFile[file];
        using var document = TestVectors.Load(file);
        var vector = document.RootElement.EnumerateArray().Single(v => v.GetProperty("mode").GetInt32() == mode);
        Assert.Equal(
            (HpkeSuite.KemId, HpkeSuite.KdfId, (ushort)suite.AeadId),
            (vector.GetProperty("kem_id").GetUInt16(), vector.GetProperty("kdf_id").GetUInt16(), vector.GetProperty("aead_id").GetUInt16()));

        var recipient = await ImportAsync(vector, "skRm");
        var ephemeral = await ImportAsync(vector, "skEm");
        Assert.Equal(vector.Hex("pkRm"), vault.GetPublicKey(recipient));
        Assert.Equal(vector.Hex("pkEm"), vault.GetPublicKey(ephemeral));
        var sender = vector.TryGetProperty("skSm", out _) ? await ImportAsync(vector, "skSm") : null;
        var psk = vector.TryGetProperty("psk", out _) ? await vault.ImportKeyAsync(KeyType.Secret, vector.Hex("psk"), KeyPersistence.Ephemeral) : null;
        var pskId = psk is null ? [] : vector.Hex("psk_id");
        var info = vector.Hex("info");

        // The KEM's shared secret, from the same DH inputs the sender uses.
        List<KeyHandle> dh = [vault.DiffieHellman(ephemeral, vector.Hex("pkRm"))];
        byte[] kemContext = [.. vector.Hex("enc"), .. vector.Hex("pkRm")];
        if (sender is not null)
        {
            dh.Add(vault.DiffieHellman(sender, vector.Hex("pkRm")));
            kemContext = [.. kemContext, .. vault.GetPublicKey(sender)];
        }

        var sharedSecret = Ockam.Identity.Hpke.Hpke.ExtractAndExpand(vault, dh, kemContext);
        Assert.Equal(vector.Hex("shared_secret"), vault.ExportSecret(sharedSecret));

        var (sealer, enc) = Ockam.Identity.Hpke.Hpke.SetupSender(vault, suite, vector.Hex("pkRm"), info, ephemeral, sender, psk, pskId);
        using var opener = Ockam.Identity.Hpke.Hpke.SetupRecipient(vault, suite, enc, recipient, info, sender is null ? default : vault.GetPublicKey(sender), psk, pskId);
        using (sealer)
        {
            Assert.Equal(vector.Hex("enc"), enc);
            Assert.Same(suite, sealer.Suite);
            Assert.Same(suite, opener.Suite);
            foreach (var context in new[] { sealer, opener })
            {
                Assert.Equal(suite.Nk, vector.Hex("key").Length);
                Assert.Equal(vector.Hex("key"), vault.ExportSecret(context.Key));
                Assert.Equal(vector.Hex("base_nonce"), context.BaseNonce.ToArray());
                Assert.Equal(vector.Hex("exporter_secret"), vault.ExportSecret(context.ExporterSecret));
            }

            var encryptions = vector.GetProperty("encryptions").EnumerateArray().ToList();
            Assert.NotEmpty(encryptions);
            foreach (var encryption in encryptions)
            {
                Assert.Equal(encryption.Hex("ct"), sealer.Seal(encryption.Hex("aad"), encryption.Hex("pt")));
                Assert.Equal(encryption.Hex("pt"), opener.Open(encryption.Hex("aad"), encryption.Hex("ct")));
            }

            var exports = vector.GetProperty("exports").EnumerateArray().ToList();
            Assert.NotEmpty(exports);
            foreach (var export in exports)
            {
                var length = export.GetProperty("L").GetInt32();
                Assert.Equal(export.Hex("exported_value"), sealer.Export(export.Hex("exporter_context"), length));
                Assert.Equal(export.Hex("exported_value"), opener.Export(export.Hex("exporter_context"), length));
            }

            Assert.Equal((ulong)encryptions.Count, sealer.Sequence);
            Assert.Equal((ulong)encryptions.Count, opener.Sequence);
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public async Task A_sealed_message_opens_only_for_its_recipient_from_its_sender_untampered(string file)
    {
        var suite = SuiteOfFile[file];
        var other = SuiteOfFile.Values.Single(s => s != suite);
        var alice = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        var bob = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        var mallory = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        var (enc, ciphertext) = await Ockam.Identity.Hpke.Hpke.SealAsync(vault, suite, vault.GetPublicKey(bob), "epoch 7"u8.ToArray(), "room"u8.ToArray(), "secret"u8.ToArray(), senderKey: alice);

        Assert.Equal("secret"u8.ToArray(), Ockam.Identity.Hpke.Hpke.Open(vault, suite, bob, enc, "epoch 7"u8, "room"u8, ciphertext, vault.GetPublicKey(alice)));
        Assert.Throws<HpkeException>(() => Ockam.Identity.Hpke.Hpke.Open(vault, suite, mallory, enc, "epoch 7"u8, "room"u8, ciphertext, vault.GetPublicKey(alice)));
        Assert.Throws<HpkeException>(() => Ockam.Identity.Hpke.Hpke.Open(vault, suite, bob, enc, "epoch 7"u8, "room"u8, ciphertext, vault.GetPublicKey(mallory)));
        Assert.Throws<HpkeException>(() => Ockam.Identity.Hpke.Hpke.Open(vault, suite, bob, enc, "epoch 8"u8, "room"u8, ciphertext, vault.GetPublicKey(alice)));
        Assert.Throws<HpkeException>(() => Ockam.Identity.Hpke.Hpke.Open(vault, other, bob, enc, "epoch 7"u8, "room"u8, ciphertext, vault.GetPublicKey(alice)));
        ciphertext[0] ^= 1;
        Assert.Throws<HpkeException>(() => Ockam.Identity.Hpke.Hpke.Open(vault, suite, bob, enc, "epoch 7"u8, "room"u8, ciphertext, vault.GetPublicKey(alice)));
        Assert.Throws<HpkeException>(() => Ockam.Identity.Hpke.Hpke.Open(vault, suite, bob, new byte[32], "epoch 7"u8, "room"u8, ciphertext, vault.GetPublicKey(alice)));
    }

    public void Dispose()
    {
        vault.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<KeyHandle> ImportAsync(JsonElement vector, string name) =>
        await vault.ImportKeyAsync(KeyType.X25519, vector.Hex(name), KeyPersistence.Ephemeral);
}

/// <summary>The suite over the libsodium vault.</summary>
public sealed class HpkeVectorTestsOverLibsodium() : HpkeVectorTests(Curve25519Provider.Libsodium);

/// <summary>The suite over the BouncyCastle vault.</summary>
public sealed class HpkeVectorTestsOverBouncyCastle() : HpkeVectorTests(Curve25519Provider.BouncyCastle);
