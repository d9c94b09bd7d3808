using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Credentials;

/// <summary>Walks a presented credential up its delegation chain to a trusted issuer.</summary>
internal static class CredentialVerifier
{
    public static VerifiedCredential Verify(TrustContext trust, CredentialPresentation presentation, Identifier expectedSubject, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        ArgumentNullException.ThrowIfNull(expectedSubject);
        var leaf = presentation.Credential.Data;
        if (leaf.Subject != expectedSubject)
        {
            throw new CredentialException(CredentialError.SubjectMismatch, $"credential is about {leaf.Subject}, not {expectedSubject}");
        }

        if (presentation.Chain.Count > CborLimits.MaxDelegationDepth)
        {
            throw new CredentialException(CredentialError.DelegationTooDeep, $"delegation chain longer than {CborLimits.MaxDelegationDepth}");
        }

        var credential = presentation.Credential;
        var attestation = presentation.Attestation;
        for (var depth = 0; ; depth++)
        {
            var data = credential.Data;
            CheckValidityWindow(data, now, trust.ClockSkew);
            var anchor = trust.TryGetIssuer(data.Issuer);
            if (anchor is not null)
            {
                if (!anchor.IsAuthority)
                {
                    // An endorser vouches directly, for its own attributes only, and cannot delegate.
                    var outside = data.Attributes.Keys.Where(k => !anchor.AllowedAttributes!.Contains(k)).ToList();
                    if (depth > 0 || outside.Count > 0)
                    {
                        throw new CredentialException(CredentialError.AttributeNotEndorsable, $"{data.Issuer} may not vouch for {string.Join(", ", outside.DefaultIfEmpty(Delegation.AttributeName))}");
                    }
                }

                CheckSignature(trust, credential, attestation, anchor.Identity, now);
                CheckRevocation(trust, data, now);
                return new VerifiedCredential(leaf, data.Issuer);
            }

            if (depth == presentation.Chain.Count)
            {
                throw new CredentialException(CredentialError.UntrustedIssuer, $"{data.Issuer} is not a trusted issuer here");
            }

            var link = presentation.Chain[depth];
            VerifiedIdentity issuer;
            try
            {
                issuer = link.DelegateHistory.Verify(trust.Vault, now, trust.ClockSkew);
            }
            catch (IdentityException e)
            {
                throw new CredentialException(CredentialError.IssuerIdentityInvalid, $"delegate {data.Issuer}: {e.Message}", e);
            }

            if (issuer.Identifier != data.Issuer || link.Credential.Data.Subject != data.Issuer)
            {
                throw new CredentialException(CredentialError.DelegationChainBroken, $"delegation link {depth} is not about {data.Issuer}");
            }

            CheckSignature(trust, credential, attestation, issuer, now);
            CheckRevocation(trust, data, now);
            CheckDelegated(data, link.Credential.Data);
            credential = link.Credential;
            attestation = link.Attestation;
        }
    }

    private static void CheckValidityWindow(CredentialData data, DateTimeOffset now, TimeSpan skew)
    {
        if (now + skew < data.CreatedAt)
        {
            throw new CredentialException(CredentialError.NotYetValid, $"credential {data.Serial} from {data.Issuer} is not valid before {data.CreatedAt:O}");
        }

        if (now - skew > data.ExpiresAt)
        {
            throw new CredentialException(CredentialError.Expired, $"credential {data.Serial} from {data.Issuer} expired at {data.ExpiresAt:O}");
        }
    }

    private static void CheckSignature(TrustContext trust, Credential credential, PurposeKeyAttestation attestation, VerifiedIdentity issuer, DateTimeOffset now)
    {
        VerifiedPurposeKey key;
        try
        {
            key = attestation.Verify(issuer, Purpose.CredentialSigning, trust.Vault, now, trust.ClockSkew);
        }
        catch (IdentityException e)
        {
            throw new CredentialException(CredentialError.BadAttestation, $"signing key of {issuer.Identifier}: {e.Message}", e);
        }

        if (credential.Data.CreatedAt < attestation.CreatedAt || credential.Data.CreatedAt > attestation.ExpiresAt)
        {
            throw new CredentialException(CredentialError.SignedOutsideKeyValidity, $"credential {credential.Data.Serial} was made outside its signing key's validity");
        }

        if (!trust.Vault.Verify(key.PublicKey, SigningDomain.ToBeSigned(SigningDomain.Credential, credential.EncodedData), credential.Signature))
        {
            throw new CredentialException(CredentialError.BadSignature, $"credential {credential.Data.Serial} from {issuer.Identifier} has an invalid signature");
        }
    }

    private static void CheckRevocation(TrustContext trust, CredentialData data, DateTimeOffset now)
    {
        var list = trust.GetRevocationList(data.Issuer);
        if (list is null)
        {
            if (trust.RequireRevocationList)
            {
                throw new CredentialException(CredentialError.RevocationListMissing, $"no revocation list from {data.Issuer}");
            }

            return;
        }

        // A stale list may be hiding recent revocations: fail closed until a fresh one arrives.
        if (now - trust.ClockSkew > list.Data.NextUpdate)
        {
            throw new CredentialException(CredentialError.RevocationListStale, $"revocation list of {data.Issuer} was due for update at {list.Data.NextUpdate:O}");
        }

        if (list.IsRevoked(data.Serial))
        {
            throw new CredentialException(CredentialError.Revoked, $"credential {data.Serial} from {data.Issuer} is revoked");
        }
    }

    private static void CheckDelegated(CredentialData issued, CredentialData delegation)
    {
        if (!delegation.Attributes.TryGetValue(Delegation.AttributeName, out var value))
        {
            throw new CredentialException(CredentialError.NotADelegate, $"{issued.Issuer} holds no delegation");
        }

        IReadOnlySet<string> allowed;
        try
        {
            allowed = Delegation.Decode(value);
        }
        catch (OckamDecodeException e)
        {
            throw new CredentialException(CredentialError.NotADelegate, $"{issued.Issuer}'s delegation is malformed: {e.Message}", e);
        }

        var outside = issued.Attributes.Keys.Where(k => k != Delegation.AttributeName && !allowed.Contains(k)).ToList();
        if (issued.Attributes.TryGetValue(Delegation.AttributeName, out var subDelegation))
        {
            try
            {
                outside.AddRange(Delegation.Decode(subDelegation).Where(k => !allowed.Contains(k)));
            }
            catch (OckamDecodeException e)
            {
                throw new CredentialException(CredentialError.NotADelegate, $"sub-delegation is malformed: {e.Message}", e);
            }
        }

        if (outside.Count > 0)
        {
            throw new CredentialException(CredentialError.AttributeNotDelegated, $"{issued.Issuer} was not delegated {string.Join(", ", outside)}");
        }
    }
}
