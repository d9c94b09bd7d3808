using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Mail;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Client.Edge;

/// <summary>
/// The sending side of sealed mail: finds and verifies the agreement key of a relay's owner (its history must equal or
/// extend the newest this node knows), and seals to it with the next counter of this node.
/// </summary>
internal sealed class SealedOutbox(IEdgeApi api, IVault vault, IIdentityHistories peers, MailCounter counter, TimeProvider time)
{
    /// <summary>
    /// The verified agreement key of the owner of <paramref name="relay"/>; when <paramref name="recipient"/> is named,
    /// the owner must be it — otherwise the silo's word on who owns the relay decides whom the message is sealed to.
    /// </summary>
    /// <exception cref="EdgeException">No such relay, not owned by the named recipient, or the owner's keys are missing or do not verify.</exception>
    public async Task<VerifiedPurposeKey> RecipientKeyAsync(string relay, Identifier? recipient, CancellationToken cancellationToken)
    {
        var owner = (await api.CallAsync(new GetRelayRequest(relay), cancellationToken).ConfigureAwait(false)).Owner;
        if (!Identifier.TryParse(owner, out var ownerId))
        {
            throw new EdgeException(ApiStatus.BadRequest, $"relay {relay} has no owner to seal to");
        }

        if (recipient is not null && recipient != ownerId)
        {
            throw new EdgeException(ApiStatus.NotOwner, $"relay {relay} is owned by {ownerId}, not by {recipient}");
        }

        var found = await api.CallAsync(new GetGroupKeysRequest([owner]), cancellationToken).ConfigureAwait(false);
        var keys = found.Keys.FirstOrDefault(k => k.Subject == owner)
            ?? throw new EdgeException(ApiStatus.Unavailable, $"{owner} has published no agreement key to seal to");
        var now = time.GetUtcNow();
        try
        {
            var identity = ChangeHistory.Decode(keys.History).Verify(vault, now);
            if (identity.Identifier != ownerId)
            {
                throw new EdgeException(ApiStatus.Rejected, $"the silo answered with the keys of {identity.Identifier} for {ownerId}");
            }

            identity.EnsureUsable(now);
            var newest = await peers.AcceptAsync(identity.History, now, cancellationToken).ConfigureAwait(false);
            return PurposeKeyAttestation.Decode(keys.Agreement).Verify(newest, Purpose.GroupKeyAgreement, vault, now);
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            throw new EdgeException(ApiStatus.Rejected, $"the agreement key of {ownerId} does not verify: {e.Message}");
        }
    }

    /// <summary>Seals <paramref name="payload"/> from <paramref name="sender"/> to <paramref name="recipient"/> through <paramref name="relay"/>, with a counter never used before.</summary>
    public async Task<byte[]> SealAsync(LocalIdentity sender, PurposeKey senderKey, IReadOnlyList<CredentialPresentation> credentials, VerifiedPurposeKey recipient, string relay, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var next = await counter.NextAsync(cancellationToken).ConfigureAwait(false);
        var mail = await MailSealer.SealAsync(vault, sender, senderKey, credentials, recipient, relay, next, payload, cancellationToken).ConfigureAwait(false);
        return mail.Encode();
    }
}
