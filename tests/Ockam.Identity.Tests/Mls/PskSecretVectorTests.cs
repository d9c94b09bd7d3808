using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors psk_secret.json (RFC 9420 §8.4) for cipher suite 1: psk_secret from a list of
/// external PSKs, each with its psk_id and psk_nonce (none, one or several).
/// </summary>
public sealed class PskSecretVectorTests
{
    private const int SuiteOneCases = 11;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public void Every_suite_1_psk_secret_agrees()
    {
        using var document = TestVectors.Load("mls/psk_secret.json");
        var cases = 0;
        var psksChecked = 0;
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            using var vault = new SoftwareVault();
            var psks = vector.GetProperty("psks").EnumerateArray()
                .Select(p => (PreSharedKeyId.External(p.Hex("psk_id"), p.Hex("psk_nonce")), vault.ImportEphemeralKey(KeyType.Secret, p.Hex("psk"))))
                .ToList();
            var pskSecret = PskSecret.Derive(vault, Suite, psks);
            Assert.Equal(vector.Hex("psk_secret"), vault.ExportSecret(pskSecret));

            // Only the imported PSKs and the result are left: every intermediate was deleted.
            Assert.Equal(psks.Count + 1, vault.Count);
            psksChecked += psks.Count;
            cases++;
        }

        Assert.Equal(SuiteOneCases, cases);
        Assert.True(psksChecked > SuiteOneCases, "the vectors include lists of several PSKs");
    }

    [Fact]
    public void A_resumption_psk_id_encodes_usage_group_and_epoch()
    {
        var writer = new MlsWriter();
        PreSharedKeyId.Resumption(ResumptionPskUsage.Branch, [0xaa], 0x0102, [0xbb, 0xcc]).Write(writer);
        Assert.Equal(Convert.FromHexString("020301aa0000000000000102" + "02bbcc"), writer.ToArray());
    }
}
