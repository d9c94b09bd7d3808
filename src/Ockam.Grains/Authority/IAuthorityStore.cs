namespace Ockam.Grains.Authority;

/// <summary>
/// Where authorities keep their members (subject → standing, attributes, since), the serials they issued (serial →
/// subject, issue time, expiry), their revocations (serial, subject) and their tokens' redemptions: rows indexed by
/// subject and by serial, so that enrolling a device costs the same whatever the size of the fleet.
/// </summary>
/// <remarks>
/// Writes are group-committed (a task completes once its change is durable, in one transaction with whatever else was
/// written meanwhile) and each decides on the rows as its own transaction finds them: an issuance is recorded only
/// if the subject's standing still allows it, and a revocation lists every serial recorded before it. So a revocation
/// and an issuance racing on different silos can never leave a credential signed for a revoked identity off the list:
/// whichever commits second sees the other.
/// </remarks>
internal interface IAuthorityStore
{
    /// <summary>The subject's row, or null if it is no member and was not revoked as one.</summary>
    Task<MemberRecord?> GetMemberAsync(string authority, string subject, CancellationToken cancellationToken);

    /// <summary>Records <paramref name="issuance"/>'s serial if the subject's standing allows it, making or changing its member row as it says.</summary>
    Task<IssuanceResult> RecordIssuanceAsync(string authority, Issuance issuance, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes <paramref name="serial"/> and, if it was issued to a member, suspends that member and revokes every
    /// credential of it unexpired at <paramref name="now"/>.
    /// </summary>
    Task RevokeSerialAsync(string authority, ulong serial, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks <paramref name="subject"/> revoked as a member (its attributes gone) and revokes every serial issued to it.</summary>
    Task RevokeMemberAsync(string authority, string subject, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Lifts a revocation by subject (the identity is no member then) or a suspension (a member again, its standing
    /// since <paramref name="now"/>); false if there was neither. Revoked serials stay revoked.
    /// </summary>
    Task<bool> ReadmitAsync(string authority, string subject, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every revoked serial, ascending; at most <paramref name="max"/> (one more means the list is too long to sign).</summary>
    Task<IReadOnlyList<ulong>> GetRevokedSerialsAsync(string authority, int max, CancellationToken cancellationToken);

    /// <summary>Every identity revoked as a member.</summary>
    Task<IReadOnlyList<string>> GetRevokedSubjectsAsync(string authority, CancellationToken cancellationToken);

    /// <summary>
    /// Redeems the token (by its hash) for <paramref name="grant"/>'s subject if it redeemed it before or one of its
    /// <paramref name="uses"/> is free, and in the same transaction records the serial: <paramref name="grant"/> for a
    /// first redemption, a renewal holding exactly its attributes for a redeemer's retry (as <see cref="RecordIssuanceAsync"/>).
    /// One commit for both: an enrolment waits for the disk once. A use taken stays taken if the issuance is refused,
    /// as when the two were separate: the redeemer may retry, and uses nothing more.
    /// </summary>
    /// <returns>The redemption, and the issuance's result unless every use was taken by others.</returns>
    Task<(RedemptionOutcome Redemption, IssuanceResult? Issuance)> RedeemAndRecordAsync(string authority, string token, int uses, Issuance grant, CancellationToken cancellationToken);

    /// <summary>Moves what an authority's grain state held before these rows existed into them (idempotent).</summary>
    Task ImportAsync(string authority, AuthorityImport import, CancellationToken cancellationToken);

    /// <summary>Moves a token's redeemers from before these rows existed into them (idempotent).</summary>
    Task ImportRedemptionsAsync(string token, IReadOnlyCollection<string> redeemers, DateTimeOffset at, CancellationToken cancellationToken);
}
