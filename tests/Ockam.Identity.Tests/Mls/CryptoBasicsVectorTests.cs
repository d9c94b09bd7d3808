using System.Text.Json;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors crypto-basics.json (RFC 9420 §5.1–5.2, §9) for cipher suite 1: RefHash,
/// ExpandWithLabel, DeriveSecret, DeriveTreeSecret, SignWithLabel and EncryptWithLabel. Secrets are
/// imported into a vault and derived keys compared through the vault's test hook.
/// </summary>
public sealed class CryptoBasicsVectorTests
{
    private const int SuiteOneCases = 1;
    private const int OperationsPerCase = 6;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public async Task Every_operation_of_the_suite_1_vectors_agrees()
    {
        using var document = TestVectors.Load("mls/crypto-basics.json");
        using var vault = new SoftwareVault();
        var cases = 0;
        var operations = 0;
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            RefHashAgrees(vector.GetProperty("ref_hash"));
            ExpandWithLabelAgrees(vault, vector.GetProperty("expand_with_label"));
            DeriveSecretAgrees(vault, vector.GetProperty("derive_secret"));
            DeriveTreeSecretAgrees(vault, vector.GetProperty("derive_tree_secret"));
            SignWithLabelAgrees(vault, vector.GetProperty("sign_with_label"));
            await EncryptWithLabelAgreesAsync(vault, vector.GetProperty("encrypt_with_label"));
            operations += OperationsPerCase;
            cases++;
        }

        Assert.Equal(SuiteOneCases, cases);
        Assert.Equal(SuiteOneCases * OperationsPerCase, operations);
    }

    [Fact]
    public void Labels_are_prefixed_and_bound()
    {
        using var vault = new SoftwareVault();
        var signer = vault.ImportEphemeralKey(KeyType.Ed25519, new byte[32]);
        var signature = LabeledSignature.SignWithLabel(vault, signer, "A", [1, 2, 3]);
        Assert.True(LabeledSignature.VerifyWithLabel(vault, vault.GetPublicKey(signer), "A", [1, 2, 3], signature));
        Assert.False(LabeledSignature.VerifyWithLabel(vault, vault.GetPublicKey(signer), "B", [1, 2, 3], signature));
        Assert.False(LabeledSignature.VerifyWithLabel(vault, vault.GetPublicKey(signer), "A", [1, 2, 4], signature));
        Assert.Equal(vault.Sign(signer, [.. new byte[] { 9 }, .. "MLS 1.0 A"u8, 3, 1, 2, 3]), signature);
        Assert.Throws<MlsCryptoException>(() => CipherSuite.FromId(2));
        Assert.Same(Suite, CipherSuite.FromId(1));
    }

    private static void RefHashAgrees(JsonElement v) =>
        Assert.Equal(v.Hex("out"), RefHash.Compute(Suite, v.GetProperty("label").GetString()!, v.Hex("value")));

    private static void ExpandWithLabelAgrees(SoftwareVault vault, JsonElement v)
    {
        var secret = vault.ImportEphemeralKey(KeyType.Secret, v.Hex("secret"));
        var length = v.GetProperty("length").GetInt32();
        var label = v.GetProperty("label").GetString()!;
        var derived = KeyDerivation.ExpandWithLabel(vault, secret, label, v.Hex("context"), new KeySpec(KeyType.Secret, length));
        Assert.Equal(v.Hex("out"), vault.ExportSecret(derived));
        Assert.Equal(v.Hex("out"), KeyDerivation.ExpandWithLabelToBytes(vault, secret, label, v.Hex("context"), length));
    }

    private static void DeriveSecretAgrees(SoftwareVault vault, JsonElement v)
    {
        var secret = vault.ImportEphemeralKey(KeyType.Secret, v.Hex("secret"));
        var derived = KeyDerivation.DeriveSecret(vault, Suite, secret, v.GetProperty("label").GetString()!);
        Assert.Equal(v.Hex("out"), vault.ExportSecret(derived));
    }

    private static void DeriveTreeSecretAgrees(SoftwareVault vault, JsonElement v)
    {
        var secret = vault.ImportEphemeralKey(KeyType.Secret, v.Hex("secret"));
        var derived = KeyDerivation.DeriveTreeSecret(
            vault, secret, v.GetProperty("label").GetString()!, v.GetProperty("generation").GetUInt32(), new KeySpec(KeyType.Secret, v.GetProperty("length").GetInt32()));
        Assert.Equal(v.Hex("out"), vault.ExportSecret(derived));
    }

    private static void SignWithLabelAgrees(SoftwareVault vault, JsonElement v)
    {
        var label = v.GetProperty("label").GetString()!;
        var content = v.Hex("content");
        var publicKey = v.Hex("pub");
        Assert.True(LabeledSignature.VerifyWithLabel(vault, publicKey, label, content, v.Hex("signature")));

        var key = vault.ImportEphemeralKey(KeyType.Ed25519, v.Hex("priv"));
        Assert.Equal(publicKey, vault.GetPublicKey(key));
        var own = LabeledSignature.SignWithLabel(vault, key, label, content);
        Assert.True(LabeledSignature.VerifyWithLabel(vault, publicKey, label, content, own));

        // Ed25519 is deterministic: the same key signs the same SignContent identically.
        Assert.Equal(v.Hex("signature"), own);
    }

    private static async Task EncryptWithLabelAgreesAsync(SoftwareVault vault, JsonElement v)
    {
        var label = v.GetProperty("label").GetString()!;
        var context = v.Hex("context");
        var key = vault.ImportEphemeralKey(KeyType.X25519, v.Hex("priv"));
        Assert.Equal(v.Hex("pub"), vault.GetPublicKey(key));
        Assert.Equal(v.Hex("plaintext"), LabeledEncryption.DecryptWithLabel(vault, Suite, key, label, context, v.Hex("kem_output"), v.Hex("ciphertext")));

        var (kemOutput, ciphertext) = await LabeledEncryption.EncryptWithLabelAsync(vault, Suite, v.Hex("pub"), label, context, v.Hex("plaintext"));
        Assert.Equal(v.Hex("plaintext"), LabeledEncryption.DecryptWithLabel(vault, Suite, key, label, context, kemOutput, ciphertext));
        Assert.Throws<MlsCryptoException>(() => LabeledEncryption.DecryptWithLabel(vault, Suite, key, label + "!", context, kemOutput, ciphertext));
        Assert.Throws<MlsCryptoException>(() => LabeledEncryption.DecryptWithLabel(vault, Suite, key, label, [.. context, 0], kemOutput, ciphertext));
    }
}
