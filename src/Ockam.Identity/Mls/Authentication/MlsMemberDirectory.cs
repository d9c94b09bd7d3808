using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// What a member knows of the Ockam identities a group's leaves name: per identifier, the <c>GroupSigning</c> purpose
/// key attestation it was given, kept only once verified against a history that <see cref="KnownIdentities"/> accepted
/// (so a rolled-back or forked history is refused). The group consults it synchronously, while it validates a commit or
/// a Welcome; fetching histories and attestations (from the silo) is the caller's, beforehand, guided by
/// <see cref="Missing"/>.
/// </summary>
/// <remarks>
/// The Authentication Service asks for a key once per leaf it checks — a joiner of a group of 1 000 a thousand times,
/// a member processing a commit once per added leaf — right after the caller added those identities. Each attestation
/// keeps the history it was verified against: while that is still the latest known (the same verified object; a
/// rotation or revocation learnt later replaces it), only the attestation's validity in time is checked again, not its
/// signature, which covers the same bytes under the same key.
/// </remarks>
internal sealed class MlsMemberDirectory(KnownIdentities identities, IVault vault)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Identifier, Attested> signing = [];

    /// <summary>
    /// Verifies <paramref name="history"/> (no rollback) and <paramref name="attestation"/> against it, then keeps the
    /// attestation as its identity's group signing key, replacing any earlier one.
    /// </summary>
    /// <exception cref="IdentityException">The history or the attestation is not valid, or is not a GroupSigning one.</exception>
    public VerifiedPurposeKey Add(ChangeHistory history, PurposeKeyAttestation attestation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(attestation);
        var identity = identities.Accept(history, now);
        var key = attestation.Verify(identity, Purpose.GroupSigning, vault, now);
        lock (gate)
        {
            signing[identity.Identifier] = new Attested(attestation, identity, key);
        }

        return key;
    }

    /// <summary>
    /// <see cref="Add"/> of an encoded history and attestation as fetched (from the silo): false when either does not
    /// decode or verify, and the identity stays unknown — the Authentication Service then refuses its leaves.
    /// </summary>
    public bool TryAdd(ReadOnlyMemory<byte> history, ReadOnlyMemory<byte> attestation, DateTimeOffset now)
    {
        try
        {
            Add(ChangeHistory.Decode(history), PurposeKeyAttestation.Decode(attestation), now);
            return true;
        }
        catch (Exception e) when (e is Encoding.OckamDecodeException or IdentityException)
        {
            return false;
        }
    }

    /// <summary>
    /// The group signing key of <paramref name="identifier"/> valid at <paramref name="now"/>, or null: unknown,
    /// compromised, revoked, its key voided by a later rotation, or expired. The attestation is verified again against
    /// the latest history known, since that history may have moved on (a revocation) since it was added.
    /// </summary>
    public VerifiedPurposeKey? SigningKey(Identifier identifier, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        Attested? attested;
        lock (gate)
        {
            signing.TryGetValue(identifier, out attested);
        }

        var identity = identities.Get(identifier);
        if (attested is null || identity is null)
        {
            return null;
        }

        try
        {
            if (ReferenceEquals(identity, attested.VerifiedAgainst))
            {
                // The history is the one its signature and every other check were verified against: only time has moved.
                attested.Attestation.CheckValidAt(now, ChangeHistory.DefaultClockSkew);
                return attested.Key;
            }

            var key = attested.Attestation.Verify(identity, Purpose.GroupSigning, vault, now);
            lock (gate)
            {
                if (signing.TryGetValue(identifier, out var current) && ReferenceEquals(current, attested))
                {
                    signing[identifier] = attested with { VerifiedAgainst = identity, Key = key };
                }
            }

            return key;
        }
        catch (IdentityException)
        {
            return null;
        }
    }

    /// <summary>
    /// The identifiers that <paramref name="leaves"/> name and this directory has no attestation for: what the caller
    /// must fetch before the group processes them. Leaves that name no identifier are left to be refused.
    /// </summary>
    public IReadOnlyList<Identifier> Missing(IEnumerable<LeafNode> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var named = leaves.Select(OckamCredentialAuthentication.IdentifierOf).OfType<Identifier>().Distinct();
        lock (gate)
        {
            return [.. named.Where(i => !signing.ContainsKey(i))];
        }
    }

    /// <summary>An attestation, the verified history it was last verified against, and the key it gave then.</summary>
    private sealed record Attested(PurposeKeyAttestation Attestation, VerifiedIdentity VerifiedAgainst, VerifiedPurposeKey Key);
}
