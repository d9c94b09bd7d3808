using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Credentials;

/// <summary>
/// Whom a verifier trusts to issue credentials, and the revocation lists it has accepted.
/// Authorities may issue any attribute and delegate; endorsers may issue only the attributes named
/// for them and cannot delegate. Anyone else is untrusted.
/// </summary>
public sealed class TrustContext
{
    /// <summary>The largest clock skew a context may tolerate: more would stretch every validity window.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private readonly Lock gate = new();
    private readonly Dictionary<Identifier, TrustedIssuer> issuers = [];
    private readonly Dictionary<Identifier, RevocationList> revocationLists = [];

    public TrustContext(IVault vault, TimeSpan? clockSkew = null)
    {
        Vault = vault ?? throw new ArgumentNullException(nameof(vault));
        ClockSkew = clockSkew ?? TimeSpan.FromMinutes(1);
        if (ClockSkew < TimeSpan.Zero || ClockSkew > MaxClockSkew)
        {
            throw new ArgumentOutOfRangeException(nameof(clockSkew), $"clock skew must be within [0, {MaxClockSkew}]");
        }
    }

    public IVault Vault { get; }

    public TimeSpan ClockSkew { get; }

    /// <summary>When set, a credential whose issuer has published no revocation list here is refused.</summary>
    public bool RequireRevocationList { get; init; }

    public void TrustAuthority(VerifiedIdentity authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        lock (gate)
        {
            issuers[authority.Identifier] = new TrustedIssuer(authority, AllowedAttributes: null);
        }
    }

    public void TrustEndorser(VerifiedIdentity endorser, IEnumerable<string> attributes)
    {
        ArgumentNullException.ThrowIfNull(endorser);
        lock (gate)
        {
            issuers[endorser.Identifier] = new TrustedIssuer(endorser, attributes.ToHashSet(StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Verifies and caches <paramref name="list"/>, signed by <paramref name="issuer"/> (a trusted issuer when null).
    /// A list with a lower sequence than the cached one is refused (rollback); an equal sequence must be the same list.
    /// </summary>
    /// <returns>True if the list replaced the cached one, false if it was the same list.</returns>
    /// <exception cref="CredentialException">Untrusted, badly signed, rolled back or conflicting.</exception>
    public bool AcceptRevocationList(RevocationList list, DateTimeOffset now, VerifiedIdentity? issuer = null)
    {
        ArgumentNullException.ThrowIfNull(list);
        var signer = issuer ?? TryGetIssuer(list.Data.Issuer)?.Identity
            ?? throw new CredentialException(CredentialError.UntrustedIssuer, $"no trusted issuer {list.Data.Issuer}");
        list.Verify(signer, Vault, now);
        lock (gate)
        {
            if (revocationLists.TryGetValue(list.Data.Issuer, out var cached))
            {
                if (list.Data.Sequence < cached.Data.Sequence)
                {
                    throw new CredentialException(CredentialError.RevocationListRollback, $"revocation list {list.Data.Sequence} is older than the known {cached.Data.Sequence}");
                }

                if (list.Data.Sequence == cached.Data.Sequence)
                {
                    return cached.EncodedData.AsSpan().SequenceEqual(list.EncodedData)
                        ? false
                        : throw new CredentialException(CredentialError.RevocationListConflict, $"two different revocation lists with sequence {list.Data.Sequence}");
                }
            }

            revocationLists[list.Data.Issuer] = list;
            return true;
        }
    }

    public RevocationList? GetRevocationList(Identifier issuer)
    {
        lock (gate)
        {
            return revocationLists.GetValueOrDefault(issuer);
        }
    }

    /// <summary>
    /// Verifies a presented credential for <paramref name="expectedSubject"/>: every signature and attestation in
    /// the chain, validity windows, revocation, delegation bounds, and a trusted issuer at the top.
    /// </summary>
    /// <exception cref="CredentialException">The credential is not acceptable here.</exception>
    public VerifiedCredential Verify(CredentialPresentation presentation, Identifier expectedSubject, DateTimeOffset now) =>
        CredentialVerifier.Verify(this, presentation, expectedSubject, now);

    internal TrustedIssuer? TryGetIssuer(Identifier identifier)
    {
        lock (gate)
        {
            return issuers.GetValueOrDefault(identifier);
        }
    }

    internal sealed record TrustedIssuer(VerifiedIdentity Identity, IReadOnlySet<string>? AllowedAttributes)
    {
        public bool IsAuthority => AllowedAttributes is null;
    }
}
