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
internal sealed class MlsMemberDirectory(KnownIdentities identities, IVault vault)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Identifier, PurposeKeyAttestation> signing = [];

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
            signing[identity.Identifier] = attestation;
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
        PurposeKeyAttestation? attestation;
        lock (gate)
        {
            signing.TryGetValue(identifier, out attestation);
        }

        var identity = identities.Get(identifier);
        if (attestation is null || identity is null)
        {
            return null;
        }

        try
        {
            return attestation.Verify(identity, Purpose.GroupSigning, vault, now);
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
}
