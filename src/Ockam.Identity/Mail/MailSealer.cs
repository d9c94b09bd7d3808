using Ockam.Identity.Credentials;
using Ockam.Identity.Hpke;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mail;

/// <summary>Seals a message to an identity's attested agreement key, from this node's own (HPKE auth mode: only its holder could have sealed it).</summary>
public static class MailSealer
{
    /// <summary>The suite of every sealed message: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.</summary>
    internal static HpkeSuite Suite => HpkeSuite.X25519Sha256Aes256Gcm;

    /// <summary>
    /// Seals <paramref name="plaintext"/> from <paramref name="sender"/> (with its agreement key <paramref name="senderKey"/>,
    /// whose private half stays in <paramref name="vault"/>) to <paramref name="recipientKey"/>, bound to
    /// <paramref name="relay"/> and <paramref name="counter"/>, which the sender must never use twice for this recipient.
    /// </summary>
    public static async Task<SealedMail> SealAsync(
        IVault vault,
        LocalIdentity sender,
        PurposeKey senderKey,
        IReadOnlyList<CredentialPresentation> credentials,
        VerifiedPurposeKey recipientKey,
        string relay,
        ulong counter,
        ReadOnlyMemory<byte> plaintext,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(senderKey);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(recipientKey);
        ArgumentException.ThrowIfNullOrEmpty(relay);
        if (senderKey.Attestation.Purpose != Purpose.GroupKeyAgreement || senderKey.Attestation.Subject != sender.Identifier)
        {
            throw new ArgumentException("the sender key must be the sender's attested agreement key", nameof(senderKey));
        }

        if (recipientKey.Purpose != Purpose.GroupKeyAgreement || recipientKey.PublicKey.Length != SealedMail.KeySize)
        {
            throw new ArgumentException("the recipient key must be a verified X25519 agreement key", nameof(recipientKey));
        }

        if (System.Text.Encoding.UTF8.GetByteCount(relay) > SealedMail.MaxRelayLength)
        {
            throw new ArgumentException($"a relay name has at most {SealedMail.MaxRelayLength} bytes", nameof(relay));
        }

        ArgumentOutOfRangeException.ThrowIfZero(counter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintext.Length, SealedMail.MaxPlaintextSize, nameof(plaintext));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(credentials.Count, SealedMail.MaxCredentials, nameof(credentials));

        var associatedData = SealedMail.Bind(sender.Identifier, senderKey.Attestation.PublicKey, recipientKey.Subject, recipientKey.PublicKey, relay, counter);
        var (enc, ciphertext) = await Hpke.Hpke.SealAsync(vault, Suite, recipientKey.PublicKey.ToArray(), SealedMail.Info.ToArray(), associatedData, plaintext.ToArray(), senderKey.Key, cancellationToken).ConfigureAwait(false);
        return new SealedMail(
            sender.History.Encode(),
            senderKey.Attestation.Encode(),
            [.. credentials.Select(c => c.Encode())],
            recipientKey.Subject,
            recipientKey.PublicKey.ToArray(),
            relay,
            counter,
            enc,
            ciphertext);
    }
}
