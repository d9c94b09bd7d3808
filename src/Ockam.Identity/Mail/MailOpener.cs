using System.Security.Cryptography;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Hpke;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mail;

/// <summary>
/// Opens sealed messages for one identity: checks that each is bound to it, to its agreement key and to a relay it
/// receives through; verifies the claimed sender locally (history, attested agreement key, credentials against the
/// trust context and its revocation lists, the policy); opens the seal with the vault (the private key never leaves
/// it); and only then records the sender's history, which must equal or extend the newest known (no rollback).
/// Replay is the caller's second step (<see cref="MailReplayGuard"/>), once a message is known to be authentic.
/// </summary>
public sealed class MailOpener(
    IVault vault,
    LocalIdentity recipient,
    PurposeKey agreementKey,
    IIdentityHistories histories,
    TrustContext? trust,
    Policy senderPolicy,
    Func<string, bool> receivesThrough)
{
    /// <exception cref="SealedMailException">Refused, with the check it failed.</exception>
    public async Task<OpenedMail> OpenAsync(SealedMail mail, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mail);

        // Cheap checks first: what is not for this node costs it no verification.
        if (mail.Recipient != recipient.Identifier)
        {
            throw new SealedMailException(SealedMailError.WrongRecipient, $"sealed to {mail.Recipient}, not to {recipient.Identifier}");
        }

        if (!receivesThrough(mail.Relay))
        {
            throw new SealedMailException(SealedMailError.WrongRelay, $"bound to relay {mail.Relay}, which this node does not receive through");
        }

        if (!CryptographicOperations.FixedTimeEquals(mail.RecipientKey, agreementKey.Attestation.PublicKey))
        {
            throw new SealedMailException(SealedMailError.UnknownRecipientKey, "sealed to an agreement key this node does not hold");
        }

        VerifiedIdentity sender;
        VerifiedPurposeKey senderKey;
        try
        {
            sender = ChangeHistory.Decode(mail.SenderHistory).Verify(vault, now);
            sender.EnsureUsable(now);
            senderKey = PurposeKeyAttestation.Decode(mail.SenderAttestation).Verify(sender, Purpose.GroupKeyAgreement, vault, now);
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            throw new SealedMailException(SealedMailError.InvalidSender, $"the sender does not verify: {e.Message}", e);
        }

        var credentials = VerifyCredentials(mail, sender.Identifier, now);
        if (!senderPolicy.Allows(PolicyInput.ForSubject(sender.Identifier, credentials)))
        {
            throw new SealedMailException(SealedMailError.Untrusted, $"{sender.Identifier} does not satisfy {senderPolicy}");
        }

        byte[] plaintext;
        try
        {
            plaintext = Hpke.Hpke.Open(vault, MailSealer.Suite, agreementKey.Key, mail.Enc, SealedMail.Info, mail.AssociatedData(sender.Identifier, senderKey.PublicKey), mail.Ciphertext, senderKey.PublicKey);
        }
        catch (HpkeException e)
        {
            throw new SealedMailException(SealedMailError.NotAuthentic, $"does not open as sealed by {sender.Identifier} to this node: {e.Message}", e);
        }

        // Last, so that only an authentic sender this node trusts is ever recorded (a stranger cannot fill the store).
        VerifiedIdentity newest;
        try
        {
            newest = await histories.AcceptAsync(sender.History, now, cancellationToken).ConfigureAwait(false);
        }
        catch (IdentityException e)
        {
            throw new SealedMailException(SealedMailError.StaleSender, $"the sender's identity is not at its newest history: {e.Message}", e);
        }

        return new OpenedMail(newest, credentials, mail.Relay, mail.Counter, plaintext);
    }

    private List<VerifiedCredential> VerifyCredentials(SealedMail mail, Identifier subject, DateTimeOffset now)
    {
        var verified = new List<VerifiedCredential>();
        if (trust is null)
        {
            return verified;
        }

        for (var i = 0; i < mail.SenderCredentials.Count; i++)
        {
            try
            {
                verified.Add(trust.Verify(CredentialPresentation.Decode(mail.SenderCredentials[i]), subject, now));
            }
            catch (CredentialException e) when (e.Error == CredentialError.UntrustedIssuer)
            {
                // A credential from an authority this node does not know is irrelevant here, not an attack.
            }
            catch (Exception e) when (e is CredentialException or OckamDecodeException)
            {
                throw new SealedMailException(SealedMailError.InvalidCredential, $"credential {i} of {subject} is refused: {e.Message}", e);
            }
        }

        return verified;
    }
}
