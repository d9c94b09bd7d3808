using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Credentials;

/// <summary>
/// Issues credentials and revocation lists with an identity's <c>CredentialSigning</c> purpose key.
/// A delegate issuer carries its delegation chain and may only issue the attributes it was delegated.
/// </summary>
public sealed class CredentialIssuer
{
    private readonly IVault vault;
    private readonly PurposeKey signingKey;
    private readonly TimeProvider time;
    private readonly IReadOnlyList<DelegationLink> chain;
    private readonly IReadOnlySet<string>? delegated;

    /// <summary>An issuer that is itself trusted (an authority) or an endorser: no chain.</summary>
    public CredentialIssuer(IVault vault, LocalIdentity issuer, PurposeKey signingKey, TimeProvider time)
        : this(vault, issuer, signingKey, time, [], null)
    {
    }

    private CredentialIssuer(IVault vault, LocalIdentity issuer, PurposeKey signingKey, TimeProvider time, IReadOnlyList<DelegationLink> chain, IReadOnlySet<string>? delegated)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(signingKey);
        if (signingKey.Attestation.Purpose != Purpose.CredentialSigning || signingKey.Attestation.Subject != issuer.Identifier)
        {
            throw new ArgumentException("the signing key must be the issuer's CredentialSigning purpose key", nameof(signingKey));
        }

        this.vault = vault;
        this.signingKey = signingKey;
        this.time = time;
        this.chain = chain;
        this.delegated = delegated;
        Identity = issuer;
    }

    public LocalIdentity Identity { get; }

    /// <summary>
    /// An issuer acting on a delegation: <paramref name="delegation"/> is the credential (with its own chain)
    /// that gave <paramref name="issuer"/> the <c>ockam.delegate</c> attribute.
    /// </summary>
    public static CredentialIssuer ForDelegate(IVault vault, LocalIdentity issuer, PurposeKey signingKey, CredentialPresentation delegation, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(delegation);
        if (delegation.Credential.Data.Subject != issuer.Identifier ||
            !delegation.Credential.Data.Attributes.TryGetValue(Delegation.AttributeName, out var names))
        {
            throw new ArgumentException("the delegation credential must give this issuer the ockam.delegate attribute", nameof(delegation));
        }

        if (delegation.Chain.Count >= CborLimits.MaxDelegationDepth)
        {
            throw new ArgumentException($"delegation chains are at most {CborLimits.MaxDelegationDepth} long", nameof(delegation));
        }

        var link = new DelegationLink(issuer.History, delegation.Credential, delegation.Attestation);
        return new CredentialIssuer(vault, issuer, signingKey, time, [link, .. delegation.Chain], Delegation.Decode(names));
    }

    /// <summary>Issues a credential valid from now for <paramref name="lifetime"/>.</summary>
    public CredentialPresentation Issue(Identifier subject, IReadOnlyDictionary<string, byte[]> attributes, TimeSpan lifetime, ulong serial)
    {
        ArgumentNullException.ThrowIfNull(subject);
        CredentialData.ValidateAttributes(attributes);
        if (delegated is not null)
        {
            var outside = attributes.Keys.Where(k => k != Delegation.AttributeName && !delegated.Contains(k)).ToList();
            if (attributes.TryGetValue(Delegation.AttributeName, out var sub))
            {
                outside.AddRange(Delegation.Decode(sub).Where(k => !delegated.Contains(k)));
            }

            if (outside.Count > 0)
            {
                throw new CredentialException(CredentialError.AttributeNotDelegated, $"not delegated to this issuer: {string.Join(", ", outside)}");
            }
        }

        var now = Timestamp.Truncate(time.GetUtcNow());
        var data = new CredentialData(subject, Identity.Identifier, attributes, now, now + lifetime, serial).Encode();
        var signature = vault.Sign(signingKey.Key, SigningDomain.ToBeSigned(SigningDomain.Credential, data));
        return new CredentialPresentation(new Credential(data, signature), signingKey.Attestation, chain);
    }

    /// <summary>Signs a revocation list; <paramref name="sequence"/> must grow with every list.</summary>
    public RevocationList IssueRevocationList(ulong sequence, IEnumerable<ulong> revokedSerials, TimeSpan validFor)
    {
        var now = Timestamp.Truncate(time.GetUtcNow());
        var data = new RevocationListData(Identity.Identifier, sequence, now, now + validFor, [.. revokedSerials]).Encode();
        var signature = vault.Sign(signingKey.Key, SigningDomain.ToBeSigned(SigningDomain.RevocationList, data));
        return new RevocationList(data, signature, signingKey.Attestation);
    }
}
