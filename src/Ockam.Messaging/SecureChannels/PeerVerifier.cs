using System.Security.Cryptography;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Messaging.SecureChannels;

/// <summary>Turns a peer's identity proof into an <see cref="AuthenticatedPeer"/>, or a typed refusal.</summary>
internal static class PeerVerifier
{
    /// <exception cref="HandshakeException">The proof does not verify, does not bind the handshake's static key, or is not trusted.</exception>
    public static async ValueTask<AuthenticatedPeer> VerifyAsync(ReadOnlyMemory<byte> payload, byte[] remoteStaticKey, SecureChannelOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        VerifiedIdentity identity;
        VerifiedPurposeKey staticKey;
        IdentityProof proof;
        try
        {
            proof = IdentityProof.Decode(payload);
            var history = ChangeHistory.Decode(proof.ChangeHistory.AsMemory());
            identity = history.Verify(options.Vault, now);
            identity.EnsureUsable(now);
            staticKey = PurposeKeyAttestation.Decode(proof.Attestation.AsMemory()).Verify(identity, Purpose.SecureChannelStatic, options.Vault, now);
        }
        catch (Exception e) when (e is OckamDecodeException or IdentityException)
        {
            throw new HandshakeException(HandshakeError.InvalidIdentity, $"the peer's identity proof does not verify: {e.Message}", e);
        }

        // Without this check anyone could replay a victim's identity proof over their own handshake.
        if (!CryptographicOperations.FixedTimeEquals(staticKey.PublicKey, remoteStaticKey))
        {
            throw new HandshakeException(HandshakeError.StaticKeyMismatch, $"{identity.Identifier} attested a different secure-channel key than the one in the handshake");
        }

        // Only now is the identity the peer's own, and before the credential checks, so a refused turn costs no more.
        if (options.Admission is { } admit && !await admit(identity.Identifier, cancellationToken).ConfigureAwait(false))
        {
            throw new HandshakeException(HandshakeError.TooFrequent, $"{identity.Identifier} opens channels faster than this listener admits; try again later");
        }

        var peer = new AuthenticatedPeer(identity, VerifyCredentials(proof, identity.Identifier, options, now));
        if (!options.TrustPolicy.Accepts(peer))
        {
            throw new HandshakeException(HandshakeError.Untrusted, $"{identity.Identifier} is not trusted by the policy: {options.TrustPolicy}");
        }

        // Last, so that only a peer this side trusts is ever recorded (a stranger cannot fill the store).
        if (options.Histories is { } histories)
        {
            try
            {
                await histories.AcceptAsync(identity.History, now, cancellationToken).ConfigureAwait(false);
            }
            catch (IdentityException e)
            {
                throw new HandshakeException(HandshakeError.StaleIdentity, $"the peer's identity is not at its newest history: {e.Message}", e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The store is another component (at the silo, grains that may be moving off a dead silo): whatever it
                // fails with, the handshake ends now with a reason, instead of its message being dropped unanswered.
                throw new HandshakeException(HandshakeError.HistoriesUnavailable, $"the known histories could not be asked: {e.GetType().Name}", e);
            }
        }

        return peer;
    }

    private static List<VerifiedCredential> VerifyCredentials(IdentityProof proof, Identifier subject, SecureChannelOptions options, DateTimeOffset now)
    {
        var verified = new List<VerifiedCredential>();
        if (options.TrustContext is not { } trust)
        {
            return verified;
        }

        for (var i = 0; i < proof.Credentials.Count; i++)
        {
            try
            {
                verified.Add(trust.Verify(CredentialPresentation.Decode(proof.Credentials[i].AsMemory()), subject, now));
            }
            catch (CredentialException e) when (e.Error == CredentialError.UntrustedIssuer)
            {
                // A credential from an authority this side does not know is irrelevant here, not an attack.
            }
            catch (Exception e) when (e is CredentialException or OckamDecodeException)
            {
                throw new HandshakeException(HandshakeError.InvalidCredential, $"credential {i} of {subject} is refused: {e.Message}", e);
            }
        }

        return verified;
    }
}
