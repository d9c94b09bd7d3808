using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// The key and nonce that protect a PrivateMessage's sender data (RFC 9420 §6.3.2):
/// <code>
/// ciphertext_sample = ciphertext[0..KDF.Nh-1]
/// sender_data_key   = ExpandWithLabel(sender_data_secret, "key",   ciphertext_sample, AEAD.Nk)
/// sender_data_nonce = ExpandWithLabel(sender_data_secret, "nonce", ciphertext_sample, AEAD.Nn)
/// </code>
/// (the whole ciphertext when it is shorter than Nh).
/// </summary>
internal static class SenderDataKey
{
    public static KeyAndNonce Derive(IVault vault, CipherSuite suite, KeyHandle senderDataSecret, ReadOnlySpan<byte> ciphertext)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var sample = ciphertext[..Math.Min(ciphertext.Length, suite.Nh)];
        var key = KeyDerivation.ExpandWithLabel(vault, senderDataSecret, "key", sample, suite.AeadKeySpec);
        var nonce = KeyDerivation.ExpandWithLabelToBytes(vault, senderDataSecret, "nonce", sample, suite.Nn);
        return new KeyAndNonce(key, nonce, 0);
    }
}
