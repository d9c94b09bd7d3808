using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors welcome.json (RFC 9420 §10.1, §12.4.3.1, §8) for cipher suite 1: the joiner finds its
/// GroupSecrets by its KeyPackageRef, opens them with init_priv, decrypts the GroupInfo, verifies its signature with
/// signer_pub, and enters the epoch from the joiner secret with no PSKs, whose confirmation key must reproduce the
/// GroupInfo's confirmation tag over the confirmed transcript hash. The key package also passes validation.
/// </summary>
public sealed class WelcomeVectorTests
{
    private const int SuiteOneCases = 1;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public void Every_suite_1_welcome_opens_verifies_and_confirms()
    {
        using var document = TestVectors.Load("mls/welcome.json");
        var cases = 0;
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            using var vault = new SoftwareVault();
            var keyPackage = MlsMessage.Decode(vector.Hex("key_package")).KeyPackage!;
            var welcome = MlsMessage.Decode(vector.Hex("welcome")).Welcome!;
            var signerPub = vector.Hex("signer_pub");

            // Its lifetime is [0, 2^64-1], so any time will do.
            KeyPackageValidation.Validate(vault, Suite, keyPackage, DateTimeOffset.UnixEpoch);

            var initKey = vault.ImportEphemeralKey(KeyType.X25519, vector.Hex("init_priv"));
            Assert.Equal(keyPackage.InitKey.ToArray(), vault.GetPublicKey(initKey));
            using (var opened = WelcomeProtocol.Open(vault, welcome, keyPackage, initKey, _ => null, _ => signerPub))
            {
                Assert.Empty(opened.Psks);
                using var epoch = opened.EnterEpoch();

                // EnterEpoch checked the tag; recompute it here too, so that the test does not rest on that check alone.
                Assert.Equal(
                    opened.GroupInfo.ConfirmationTag.ToArray(),
                    ConfirmationTag.Compute(vault, epoch.ConfirmationKey, opened.GroupInfo.GroupContext.ConfirmedTranscriptHash));
            }

            vault.DeleteEphemeralKey(initKey);

            // Every secret the join imported or derived is gone.
            Assert.Equal(0, vault.Count);
            cases++;
        }

        Assert.Equal(SuiteOneCases, cases);
    }
}
