using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors transcript-hashes.json (RFC 9420 §8.2) for cipher suite 1: from a Commit's
/// AuthenticatedContent and the previous interim hash, the confirmed and interim transcript hashes, and the
/// Commit's confirmation tag checked under confirmation_key.
/// </summary>
public sealed class TranscriptHashVectorTests
{
    private const int SuiteOneCases = 1;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;

    [Fact]
    public void Every_suite_1_transcript_agrees()
    {
        using var document = TestVectors.Load("mls/transcript-hashes.json");
        var cases = 0;
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            using var vault = new SoftwareVault();
            var (confirmedInput, confirmationTag) = SplitCommit(vector.Hex("authenticated_content"));

            var confirmed = TranscriptHash.Confirmed(Suite, vector.Hex("interim_transcript_hash_before"), confirmedInput);
            Assert.Equal(vector.Hex("confirmed_transcript_hash_after"), confirmed);
            Assert.Equal(vector.Hex("interim_transcript_hash_after"), TranscriptHash.Interim(Suite, confirmed, confirmationTag));

            var confirmationKey = vault.ImportEphemeralKey(KeyType.Secret, vector.Hex("confirmation_key"));
            ConfirmationTag.Verify(vault, confirmationKey, confirmed, confirmationTag);
            var altered = confirmationTag.ToArray();
            altered[0] ^= 1;
            Assert.Throws<MlsCryptoException>(() => ConfirmationTag.Verify(vault, confirmationKey, confirmed, altered));
            cases++;
        }

        Assert.Equal(SuiteOneCases, cases);
    }

    /// <summary>
    /// A Commit's AuthenticatedContent is ConfirmedTranscriptHashInput (wire_format, content, signature) followed by
    /// FramedContentAuthData's last field, <c>opaque confirmation_tag&lt;V&gt;</c>: for suite 1 a one-byte length 32 and the tag.
    /// </summary>
    private static (byte[] ConfirmedInput, byte[] ConfirmationTag) SplitCommit(byte[] authenticatedContent)
    {
        var nh = Suite.Nh;
        Assert.Equal(nh, authenticatedContent[^(nh + 1)]);
        return (authenticatedContent[..^(nh + 1)], authenticatedContent[^nh..]);
    }
}
