using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Vault;

/// <summary>Every Wycheproof case the suite uses, run through <see cref="IVault"/>, never BouncyCastle directly.</summary>
public abstract class WycheproofTests(Curve25519Provider provider) : IDisposable
{
    private readonly SoftwareVault vault = new(provider);

    [Fact]
    public async Task X25519_all_cases()
    {
        using var doc = TestVectors.Load("x25519_test.json");
        var failures = new List<string>();
        var count = 0;
        foreach (var (_, t) in TestVectors.WycheproofTests(doc))
        {
            count++;
            var result = t.GetProperty("result").GetString();
            var key = await vault.ImportKeyAsync(KeyType.X25519, t.Hex("private"), KeyPersistence.Ephemeral);
            byte[]? shared = null;
            try
            {
                shared = vault.ExportSecret(vault.DiffieHellman(key, t.Hex("public")));
            }
            catch (VaultException)
            {
            }

            var matches = shared is not null && shared.AsSpan().SequenceEqual(t.Hex("shared"));
            var zero = t.Hex("shared").All(b => b == 0);

            // "acceptable" cases may be accepted or refused; an all-zero secret must be refused (Noise).
            var ok = result switch
            {
                "valid" => matches,
                "acceptable" => zero ? shared is null : matches || shared is null,
                _ => shared is null,
            };
            if (!ok)
            {
                failures.Add($"tcId {t.GetProperty("tcId")}: {result}, got {(shared is null ? "refusal" : Convert.ToHexString(shared))}");
            }
        }

        Assert.Equal(518, count);
        Assert.Empty(failures);
    }

    [Fact]
    public void Ed25519_all_verify_cases()
    {
        using var doc = TestVectors.Load("ed25519_test.json");
        var failures = new List<string>();
        var count = 0;
        foreach (var (g, t) in TestVectors.WycheproofTests(doc))
        {
            count++;
            var expected = t.GetProperty("result").GetString() == "valid";
            var actual = vault.Verify(g.GetProperty("publicKey").Hex("pk"), t.Hex("msg"), t.Hex("sig"));
            if (actual != expected)
            {
                failures.Add($"tcId {t.GetProperty("tcId")}: expected {expected}");
            }
        }

        Assert.Equal(151, count);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Rfc8032_signing_known_answers()
    {
        using var doc = TestVectors.Load("ed25519_rfc8032.json");
        var cases = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(5, cases.Count);
        foreach (var c in cases)
        {
            var key = await vault.ImportKeyAsync(KeyType.Ed25519, c.Hex("secret_key"), KeyPersistence.Ephemeral);
            Assert.Equal(c.Hex("public_key"), vault.GetPublicKey(key));
            var signature = vault.Sign(key, c.Hex("message"));
            Assert.Equal(c.Hex("signature"), signature);
            Assert.True(vault.Verify(vault.GetPublicKey(key), c.Hex("message"), signature));
        }
    }

    [Theory]
    [InlineData("aes_gcm_test.json", KeyType.AesGcm, 197)]
    [InlineData("chacha20_poly1305_test.json", KeyType.ChaCha20Poly1305, 316)]
    public async Task Aead_all_96_bit_nonce_cases(string file, KeyType type, int expectedCount)
    {
        using var doc = TestVectors.Load(file);
        var failures = new List<string>();
        var count = 0;
        foreach (var (g, t) in TestVectors.WycheproofTests(doc))
        {
            if (g.GetProperty("ivSize").GetInt32() != 96)
            {
                continue;
            }

            count++;
            var valid = t.GetProperty("result").GetString() == "valid";
            var key = await vault.ImportKeyAsync(type, t.Hex("key"), KeyPersistence.Ephemeral);
            var (iv, aad, msg) = (t.Hex("iv"), t.Hex("aad"), t.Hex("msg"));
            byte[] sealedBytes = [.. t.Hex("ct"), .. t.Hex("tag")];

            var opened = new byte[Math.Max(0, sealedBytes.Length - Aead.TagSize)];
            var decrypted = vault.TryDecrypt(key, iv, sealedBytes, aad, opened);
            var encrypted = new byte[msg.Length + Aead.TagSize];
            vault.Encrypt(key, iv, msg, aad, encrypted);

            var ok = valid
                ? decrypted && opened.AsSpan().SequenceEqual(msg) && encrypted.AsSpan().SequenceEqual(sealedBytes)
                : !decrypted;
            if (!ok)
            {
                failures.Add($"tcId {t.GetProperty("tcId")} ({t.GetProperty("result")})");
            }
        }

        Assert.Equal(expectedCount, count);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Hkdf_sha256_all_cases()
    {
        using var doc = TestVectors.Load("hkdf_sha256_test.json");
        var failures = new List<string>();
        var count = 0;
        foreach (var (_, t) in TestVectors.WycheproofTests(doc))
        {
            count++;
            var valid = t.GetProperty("result").GetString() == "valid";
            var ikm = await vault.ImportKeyAsync(KeyType.Secret, t.Hex("ikm"), KeyPersistence.Ephemeral);
            var salt = await vault.ImportKeyAsync(KeyType.Secret, t.Hex("salt"), KeyPersistence.Ephemeral);
            byte[]? okm = null;
            try
            {
                var derived = vault.DeriveKeys(salt, ikm, t.Hex("info"), [new KeySpec(KeyType.Secret, t.GetProperty("size").GetInt32())]);
                okm = vault.ExportSecret(derived[0]);
            }
            catch (VaultException)
            {
            }

            var ok = valid ? okm is not null && okm.AsSpan().SequenceEqual(t.Hex("okm")) : okm is null;
            if (!ok)
            {
                failures.Add($"tcId {t.GetProperty("tcId")} ({t.GetProperty("result")})");
            }
        }

        Assert.Equal(86, count);
        Assert.Empty(failures);
    }

    public void Dispose()
    {
        vault.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The suite over the libsodium vault.</summary>
public sealed class WycheproofTestsOverLibsodium() : WycheproofTests(Curve25519Provider.Libsodium);

/// <summary>The suite over the BouncyCastle vault.</summary>
public sealed class WycheproofTestsOverBouncyCastle() : WycheproofTests(Curve25519Provider.BouncyCastle);
