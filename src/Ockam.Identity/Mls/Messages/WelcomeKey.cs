using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// The key and nonce that encrypt a Welcome's GroupInfo (RFC 9420 §8, §12.4.3.1):
/// <code>
/// welcome_secret = DeriveSecret(KDF.Extract(joiner_secret, psk_secret), "welcome")
/// welcome_key    = ExpandWithLabel(welcome_secret, "key",   "", AEAD.Nk)
/// welcome_nonce  = ExpandWithLabel(welcome_secret, "nonce", "", AEAD.Nn)
/// </code>
/// A joiner needs them before it can read the GroupContext, so they come from the joiner secret alone, not from
/// <see cref="EpochSecrets"/> (which also derives the epoch secret and so needs the GroupContext).
/// </summary>
internal static class WelcomeKey
{
    /// <summary>The welcome key (a new vault handle the caller deletes) and nonce; the inputs are not consumed, the intermediates are deleted.</summary>
    public static KeyAndNonce Derive(IVault vault, CipherSuite suite, KeyHandle joinerSecret, KeyHandle pskSecret)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(joinerSecret);
        ArgumentNullException.ThrowIfNull(pskSecret);
        var extracted = vault.HkdfExtract(joinerSecret, [], [pskSecret]);
        KeyHandle welcomeSecret;
        try
        {
            welcomeSecret = KeyDerivation.DeriveSecret(vault, suite, extracted, "welcome");
        }
        finally
        {
            vault.DeleteEphemeralKey(extracted);
        }

        try
        {
            var key = KeyDerivation.ExpandWithLabel(vault, welcomeSecret, "key", [], suite.AeadKeySpec);
            var nonce = KeyDerivation.ExpandWithLabelToBytes(vault, welcomeSecret, "nonce", [], suite.Nn);
            return new KeyAndNonce(key, nonce, 0);
        }
        finally
        {
            vault.DeleteEphemeralKey(welcomeSecret);
        }
    }
}
