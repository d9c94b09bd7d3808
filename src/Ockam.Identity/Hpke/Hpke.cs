using Ockam.Identity.Vault;

namespace Ockam.Identity.Hpke;

/// <summary>
/// HPKE (RFC 9180) with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and the AEAD of an <see cref="HpkeSuite"/>
/// (AES-128-GCM or AES-256-GCM), in all four modes, on the vault: private keys, DH results, the shared
/// secret, the AEAD key and the exporter secret are vault handles; only public values and exported secrets
/// come out. Seals to an identity that may be offline (its attested X25519 key).
/// </summary>
public static class Hpke
{
    private static readonly KeySpec SecretSpec = KeySpec.Secret32;

    /// <summary>
    /// Sets up a sender context of <paramref name="suite"/> to <paramref name="recipientPublicKey"/> with the
    /// ephemeral X25519 key <paramref name="ephemeralKey"/> (injectable for test vectors); <paramref name="senderKey"/> gives auth
    /// mode, <paramref name="psk"/> (with <paramref name="pskId"/>) psk mode. Returns the context and enc.
    /// </summary>
    public static (HpkeContext Context, byte[] Enc) SetupSender(
        IVault vault,
        HpkeSuite suite,
        ReadOnlySpan<byte> recipientPublicKey,
        ReadOnlySpan<byte> info,
        KeyHandle ephemeralKey,
        KeyHandle? senderKey = null,
        KeyHandle? psk = null,
        ReadOnlySpan<byte> pskId = default)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(ephemeralKey);
        var enc = vault.GetPublicKey(ephemeralKey);
        var dh = new List<KeyHandle> { Dh(vault, ephemeralKey, recipientPublicKey) };
        byte[] kemContext = [.. enc, .. recipientPublicKey];
        if (senderKey is not null)
        {
            dh.Add(Dh(vault, senderKey, recipientPublicKey));
            kemContext = [.. kemContext, .. vault.GetPublicKey(senderKey)];
        }

        var sharedSecret = ExtractAndExpand(vault, dh, kemContext);
        return (KeySchedule(vault, suite, Mode(senderKey is not null, psk is not null), sharedSecret, info, psk, pskId), enc);
    }

    /// <summary>Sets up the recipient's context of <paramref name="suite"/> from <paramref name="enc"/>; <paramref name="senderPublicKey"/> for auth mode.</summary>
    /// <exception cref="HpkeException">enc is not a usable X25519 public key.</exception>
    public static HpkeContext SetupRecipient(
        IVault vault,
        HpkeSuite suite,
        ReadOnlySpan<byte> enc,
        KeyHandle recipientKey,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> senderPublicKey = default,
        KeyHandle? psk = null,
        ReadOnlySpan<byte> pskId = default)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(recipientKey);
        var authenticated = !senderPublicKey.IsEmpty;
        var dh = new List<KeyHandle> { Dh(vault, recipientKey, enc) };
        byte[] kemContext = [.. enc, .. vault.GetPublicKey(recipientKey)];
        if (authenticated)
        {
            dh.Add(Dh(vault, recipientKey, senderPublicKey));
            kemContext = [.. kemContext, .. senderPublicKey];
        }

        var sharedSecret = ExtractAndExpand(vault, dh, kemContext);
        return KeySchedule(vault, suite, Mode(authenticated, psk is not null), sharedSecret, info, psk, pskId);
    }

    /// <summary>
    /// Single-shot (RFC 9180 §6.1 Seal, or SealAuth with <paramref name="senderKey"/>): seals <paramref name="plaintext"/>
    /// under <paramref name="suite"/> to <paramref name="recipientPublicKey"/> with a fresh ephemeral key.
    /// </summary>
    public static async Task<(byte[] Enc, byte[] Ciphertext)> SealAsync(
        IVault vault, HpkeSuite suite, byte[] recipientPublicKey, byte[] info, byte[] associatedData, byte[] plaintext, KeyHandle? senderKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        var ephemeral = await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral, cancellationToken).ConfigureAwait(false);
        try
        {
            var (context, enc) = SetupSender(vault, suite, recipientPublicKey, info, ephemeral, senderKey);
            using (context)
            {
                return (enc, context.Seal(associatedData, plaintext));
            }
        }
        finally
        {
            vault.DeleteEphemeralKey(ephemeral);
        }
    }

    /// <summary>Single-shot (RFC 9180 §6.1 Open, or OpenAuth with <paramref name="senderPublicKey"/>): opens what <see cref="SealAsync"/> sealed under <paramref name="suite"/>.</summary>
    /// <exception cref="HpkeException">Not for this key, not from that sender, or tampered.</exception>
    public static byte[] Open(IVault vault, HpkeSuite suite, KeyHandle recipientKey, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> info, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> senderPublicKey = default)
    {
        using var context = SetupRecipient(vault, suite, enc, recipientKey, info, senderPublicKey);
        return context.Open(associatedData, ciphertext);
    }

    /// <summary>
    /// DHKEM(X25519)'s DeriveKeyPair (RFC 9180 §7.1.3): dkp_prk = LabeledExtract("", "dkp_prk", ikm);
    /// sk = LabeledExpand(dkp_prk, "sk", "", 32). The private key stays in the vault; its public key is the vault's to give.
    /// </summary>
    internal static KeyHandle DeriveKeyPair(IVault vault, KeyHandle ikm)
    {
        ArgumentNullException.ThrowIfNull(vault);
        var prk = vault.HkdfExtract(null, HpkeSuite.LabeledIkmPrefix(HpkeSuite.KemSuiteId, "dkp_prk"), [ikm]);
        try
        {
            return vault.HkdfExpand(prk, HpkeSuite.LabeledInfo(HpkeSuite.KemSuiteId, "sk", [], 32), new KeySpec(KeyType.X25519, 32));
        }
        finally
        {
            vault.DeleteEphemeralKey(prk);
        }
    }

    /// <summary>DHKEM's ExtractAndExpand (the same KEM in every suite, so suite_id is "KEM" ‖ 0x0020): eae_prk = LabeledExtract("", "eae_prk", dh); shared_secret = LabeledExpand(eae_prk, "shared_secret", kem_context, 32).</summary>
    internal static KeyHandle ExtractAndExpand(IVault vault, List<KeyHandle> dh, byte[] kemContext)
    {
        var prk = vault.HkdfExtract(null, HpkeSuite.LabeledIkmPrefix(HpkeSuite.KemSuiteId, "eae_prk"), dh);
        dh.ForEach(vault.DeleteEphemeralKey);
        try
        {
            return vault.HkdfExpand(prk, HpkeSuite.LabeledInfo(HpkeSuite.KemSuiteId, "shared_secret", kemContext, HpkeSuite.Nh), SecretSpec);
        }
        finally
        {
            vault.DeleteEphemeralKey(prk);
        }
    }

    /// <summary>RFC 9180 §5.1 KeySchedule; consumes <paramref name="sharedSecret"/>.</summary>
    private static HpkeContext KeySchedule(IVault vault, HpkeSuite suite, HpkeMode mode, KeyHandle sharedSecret, ReadOnlySpan<byte> info, KeyHandle? psk, ReadOnlySpan<byte> pskId)
    {
        // VerifyPSKInputs: a psk and its id come together, or neither.
        if ((psk is null) != pskId.IsEmpty)
        {
            vault.DeleteEphemeralKey(sharedSecret);
            throw new HpkeException("a pre-shared key needs its id, and an id its key");
        }

        byte[] context =
        [
            (byte)mode,
            .. HpkeSuite.PublicLabeledExtract(suite.SuiteId, "psk_id_hash", pskId),
            .. HpkeSuite.PublicLabeledExtract(suite.SuiteId, "info_hash", info),
        ];
        var secret = vault.HkdfExtract(sharedSecret, HpkeSuite.LabeledIkmPrefix(suite.SuiteId, "secret"), psk is null ? [] : [psk]);
        vault.DeleteEphemeralKey(sharedSecret);
        try
        {
            var key = vault.HkdfExpand(secret, HpkeSuite.LabeledInfo(suite.SuiteId, "key", context, suite.Nk), suite.KeySpec);
            var baseNonce = vault.HkdfExpandToBytes(secret, HpkeSuite.LabeledInfo(suite.SuiteId, "base_nonce", context, HpkeSuite.Nn), HpkeSuite.Nn);
            var exporter = vault.HkdfExpand(secret, HpkeSuite.LabeledInfo(suite.SuiteId, "exp", context, HpkeSuite.Nh), SecretSpec);
            return new HpkeContext(vault, suite, key, baseNonce, exporter);
        }
        finally
        {
            vault.DeleteEphemeralKey(secret);
        }
    }

    private static HpkeMode Mode(bool authenticated, bool withPsk) => (authenticated, withPsk) switch
    {
        (false, false) => HpkeMode.Base,
        (false, true) => HpkeMode.Psk,
        (true, false) => HpkeMode.Auth,
        _ => HpkeMode.AuthPsk,
    };

    private static KeyHandle Dh(IVault vault, KeyHandle key, ReadOnlySpan<byte> publicKey)
    {
        try
        {
            return vault.DiffieHellman(key, publicKey);
        }
        catch (VaultException e)
        {
            throw new HpkeException($"not a usable X25519 public key: {e.Message}", e);
        }
    }
}
